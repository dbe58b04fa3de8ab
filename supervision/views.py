from django.http import HttpResponse


def my_workload_view(request):
    return HttpResponse("placeholder")
