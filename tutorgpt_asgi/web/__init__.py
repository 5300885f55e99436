"""HTTP handlers: parse a request, call a service, render a response. No SQL here."""
