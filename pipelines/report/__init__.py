"""The Kreisprofil report: charts, maps and the PDF planners get for their Kreis."""
