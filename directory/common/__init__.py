"""Small pieces shared by every domain: time, text, types, paging, languages."""
