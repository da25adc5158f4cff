from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Pages of 50 (up to 100 with ?page_size=); lists always end their ordering on the primary key."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
