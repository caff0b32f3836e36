// Package glove is the embedded sentence-embedding model behind the model id
// @flarego/glove-6b-100d-sif: GloVe 6B word vectors (100 dimensions, 40,000 most frequent
// words, int8-quantised) combined into sentence vectors by smooth inverse frequency.
//
// A sentence vector is Σ a/(a+p(w))·v(w) over the sentence's known words, with a = 1e-3 and
// p(w) the word's probability estimated from its frequency rank r by Zipf's law,
// p = 1/(r·H(400000)); the component along one fixed "common discourse" direction (stored in
// the artifact) is removed and the result scaled to unit length, so cosine similarity is a dot
// product. Unknown words are skipped; text with no known word embeds to the zero vector.
//
// This is a bag-of-words model: it knows topical similarity ("kitten on the rug" is near "cat
// on the mat"), not word order or negation. It is no substitute for a transformer model and
// is never presented as one. The data and its licence are in data/; the generator is ./gen.
package glove
