from django.http import HttpResponse


def home_view(request):
    return HttpResponse("placeholder")


team_list_view = team_detail_view = worker_detail_view = what_if_view = home_view
