from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>`, the form mobile and calendar clients expect."""

    keyword = "Bearer"
