// Package extractive answers a question by quoting the sentences of a given context that are
// most similar to it, under a sentence-embedding model. It generates no text of its own: every
// answer is made of sentences found in the input. It backs the model id @flarego/extractive-qa.
package extractive
