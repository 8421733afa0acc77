"""Where the grader meets other tools: notebooks (``notebook``) and nbgrader (``nbgrader``)."""
