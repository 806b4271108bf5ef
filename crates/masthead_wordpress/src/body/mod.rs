//! A WordPress post's HTML turned into masthead Markdown.
