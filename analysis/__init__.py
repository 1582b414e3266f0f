"""Statistics for the seven drivers of contact-centre service quality."""
