"""The sign-in audit in the admin, strictly read-only.

axes registers its three models itself. Its AccessLog (sign-ins and sign-outs) and AccessFailureLog
(failed sign-ins) admins still allow delete: they are evidence, so here they can be viewed only. Old rows
are removed by retention (`manage.py axes_reset_logs --age <days>`), not by hand. AccessAttempt keeps
axes's admin: deleting an attempt there is how an administrator unlocks someone.

Imported by config/urls.py, after the admin has discovered axes's registrations."""
from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin


class ReadOnlyAuditAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SignInLogAdmin(ReadOnlyAuditAdmin, AccessLogAdmin):
    pass


class SignInFailureLogAdmin(ReadOnlyAuditAdmin, AccessFailureLogAdmin):
    pass


for model, model_admin in ((AccessLog, SignInLogAdmin), (AccessFailureLog, SignInFailureLogAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
