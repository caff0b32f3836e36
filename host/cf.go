package host

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/flarego/flarego/worker"
)

// readCF reads the --cf file: a JSON object with the platform's request.cf field names.
// Fields it leaves out keep worker.DefaultCF's values.
func readCF(path string) (*worker.CF, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--cf: %w", err)
	}
	cf := worker.DefaultCF()
	if err := json.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("--cf %s: %w", path, err)
	}
	return &cf, nil
}
