package workflowstest

import (
	"testing"
	"testing/synctest"
)

var engineTests = []namedTest{
	// Instances and the binding.
	{"WF001_Event", testWF001Event},
	{"WF001_PayloadReadOnly", testWF001PayloadReadOnly},
	{"WF002_Output", testWF002Output},
	{"WF002_UnserialisableOutput", testWF002Unserialisable},
	{"WF003_CreateQueuesAndRunsLater", testWF003Queued},
	{"WF003_RandomUUID", testWF003UUID},
	{"WF004_InvalidID", testWF004InvalidID},
	{"WF005_CreateBatch", testWF005Batch},
	{"WF006_GetMissing", testWF006GetMissing},
	{"WF007_StatusShape", testWF007StatusShape},
	{"WF008_WaitingStatus", testWF008Waiting},
	{"WF009_PauseDuringStep", testWF009PauseDuringStep},
	{"WF009_PauseWhileSleeping", testWF009PauseWhileSleeping},
	{"WF009_ResumeCancelsPendingPause", testWF009ResumeCancelsPause},
	{"WF009_ResumeNotPaused", testWF009ResumeNotPaused},
	{"WF010_Terminate", testWF010Terminate},
	{"WF010_TerminateFinished", testWF010TerminateFinished},
	{"WF011_Restart", testWF011Restart},
	{"WF012_SendEvent", testWF012SendEvent},
	{"WF012_EventBeforeWait", testWF012EventBeforeWait},
	{"WF012_SendToFinished", testWF012SendToFinished},
	{"WF031_PersistsAcrossRestart", testWF031Persist},
	{"WF031_Delete", testWF031Delete},
	{"WF032_StepOutputs", testWF032StepOutputs},

	// Steps.
	{"WF013_DoReturnsValue", testWF013Do},
	{"WF013_NilCallback", testWF013NilCallback},
	{"WF014_CachedResultNotRerun", testWF014Cached},
	{"WF014_CachedFailureRethrown", testWF014CachedFailure},
	{"WF015_SameNameOccurrences", testWF015Occurrences},
	{"WF016_StepName", testWF016StepName},
	{"WF017_StepConfig", testWF017Config},
	{"WF018_Defaults", testWF018Defaults},
	{"WF018_RetryDelayOption", testWF018RetryDelayOption},
	{"WF019_Backoff", testWF019Backoff},
	{"WF019_LimitPlusOneAttempts", testWF019LimitPlusOne},
	{"WF020_Timeout", testWF020Timeout},
	{"WF021_NonRetryable", testWF021NonRetryable},
	{"WF021_NonRetryableCaught", testWF021NonRetryableCaught},
	{"WF022_RetriesExhausted", testWF022Exhausted},
	{"WF023_Sizes", testWF023Sizes},
	{"WF023_StateLimit", testWF023StateLimit},
	{"WF024_StepLimit", testWF024StepLimit},
	{"WF025_Sleep", testWF025Sleep},
	{"WF025_SleepCutShortByRestart", testWF025SleepRestart},
	{"WF025_SleepTooLong", testWF025SleepTooLong},
	{"WF026_SleepUntil", testWF026SleepUntil},
	{"WF027_WaitForEventTimeout", testWF027Timeout},
	{"WF027_DefaultTimeout", testWF027DefaultTimeout},
	{"WF033_SlicedArrays", testWF033Sliced},

	// Scheduling and the replay model.
	{"WF028_SleepingDoNotCount", testWF028SleepingDoNotCount},
	{"WF028_WokenBeforeQueued", testWF028WokenFirst},
	{"WF029_Concurrency", testWF029Concurrency},
	{"ParallelSteps", testParallelSteps},
	{"ParallelSleepAndWait", testParallelSleepAndWait},
	{"SwallowedSuspend", testSwallowedSuspend},
	{"CrashMidAttempt", testCrashMidAttempt},
	{"EventWhilePaused", testEventWhilePaused},

	// Tools and the runner API.
	{"Describe", testDescribe},
	{"ListAndLatest", testListAndLatest},
	{"Trigger", testTrigger},
	{"BindingValue", testBindingValue},
	{"Subrequests", testSubrequests},
}

func runEngine(t *testing.T, nd NewDriver) {
	for _, tc := range engineTests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { tc.fn(t, nd) })
		})
	}
}
