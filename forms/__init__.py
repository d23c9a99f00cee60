"""The annual return as a workbook to fill in: the blank template and the copy pre-filled with last year's branches."""
