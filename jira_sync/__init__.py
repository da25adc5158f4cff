"""Two-way sync between the workspace backlog and Jira (Cloud and Data Center)."""
