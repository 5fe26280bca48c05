"""From a submitted file to rows in the database: readers, headers, normalisers, validation, loader."""
