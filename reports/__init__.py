"""From status to documents: the problem list, dispatch, review, letters, templates."""
