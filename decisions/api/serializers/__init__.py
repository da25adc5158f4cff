"""The decisions resources' serializers: PRDs and requirements, decision records, sign-offs and review flags."""
