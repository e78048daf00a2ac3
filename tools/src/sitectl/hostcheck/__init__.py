"""`sitectl check hosts`: hold deployed hosts to what kayobe's configuration says they are."""
