"""Every route of the web page, pages and JSON API side by side (docs/api.md lists the API)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from appliance.web.customers import customer_views
from appliance.web.frame import auth, language, live, presence_views
from appliance.web.mailboxes import (
    mailbox_edits,
    mailbox_views,
    outgoing_edits,
    quarantine_views,
)
from appliance.web.notices import notice_views
from appliance.web.privacy import audit_views, privacy_views
from appliance.web.replies import reply_views
from appliance.web.reports import report_views as reports
from appliance.web.reports import wall_pair, wallboard
from appliance.web.search import merge_pickers, search_views
from appliance.web.settings import (
    admin_views,
    desk_unit_edits,
    gpio_edits,
    keeping_edits,
    mqtt_edits,
    profile_views,
    prompt_views,
    restart_views,
    settings_edits,
    settings_views,
    sim_unblock,
    voip_edits,
    wall_screen_views,
)
from appliance.web.setup import setup_line, setup_mailbox, setup_wall
from appliance.web.tickets import (
    after_call_views,
    message_views,
    pending_views,
    tag_views,
    ticket_lists_views,
    ticket_views,
)
from appliance.web.tickets import queue_views as views

STATIC_DIR = Path(__file__).parent / "static"


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the pages, their form posts and the JSON API."""
    get, post = router.add_get, router.add_post
    get("/login", auth.login_page)
    post("/login", auth.login_submit)
    post("/logout", auth.logout)
    post("/language", language.choose_language)
    get("/setup", setup_wall.setup_page)
    post("/setup", setup_wall.setup_submit)
    post("/setup/mailbox", setup_mailbox.setup_mailbox_save)
    post("/setup/mailbox/test", setup_mailbox.setup_mailbox_test)
    post("/setup/outgoing-mail", setup_mailbox.setup_outgoing_save)
    post("/setup/outgoing-mail/test", setup_mailbox.setup_outgoing_test)
    post("/setup/line/modems/{id}/pin", setup_line.setup_modem_pin)
    post("/setup/line/modems/{id}/puk", setup_line.setup_modem_puk)
    get("/setup/{step}", setup_wall.setup_step)
    get("/", views.queue_page)
    get("/queue/rows", views.queue_rows)
    post("/queue/take", ticket_views.take_next)
    get("/tickets", ticket_lists_views.ticket_list)
    post("/tickets", ticket_views.create)
    get("/tickets/{number}", ticket_views.ticket_page)
    post("/tickets/{number}/reply", ticket_views.reply)
    post("/tickets/{number}/reply/insert", ticket_views.insert_saved_reply)
    post("/tickets/{number}/note", ticket_views.note)
    post("/tickets/{number}/fields", ticket_views.change_fields)
    get("/tickets/{number}/merge", merge_pickers.ticket_merge_picker)
    post("/tickets/{number}/merge", ticket_views.merge)
    post("/tickets/{number}/pending", pending_views.set_pending)
    post("/tickets/{number}/tags", tag_views.tag_add)
    get("/after-calls/{id}", after_call_views.after_call_page)
    post("/after-calls/{id}", after_call_views.after_call_save)
    post("/tickets/{number}/tags/remove", tag_views.tag_remove)
    get("/messages/{id}/html", message_views.message_html)
    get("/attachments/{id}", message_views.attachment)
    get("/attachments/{id}/play", message_views.recording)
    get("/customers", ticket_lists_views.customer_list)
    get("/search", search_views.search_page)
    post("/search", search_views.search_posted)
    get("/customers/{id}", customer_views.customer_page)
    post("/customers/{id}", customer_views.customer_update)
    post("/customers/{id}/contacts", customer_views.contact_add)
    get("/customers/{id}/merge", merge_pickers.customer_merge_picker)
    post("/customers/{id}/merge", customer_views.customer_merge)
    get("/replies", reply_views.replies_page)
    post("/replies", reply_views.reply_add)
    get("/replies/{id}", reply_views.reply_page)
    post("/replies/{id}", reply_views.reply_change)
    post("/replies/{id}/remove", reply_views.reply_remove)
    get("/presence", presence_views.presence_page)
    post("/presence", presence_views.set_my_presence)
    get("/wallboard", wallboard.wallboard)
    get("/wall/pair", wall_pair.wall_pair)
    get("/reports", reports.report_page)
    get("/reports.csv", reports.report_csv)
    get("/events", live.event_stream)
    get("/password", profile_views.password_page)
    post("/password", admin_views.change_own_password)
    post("/profile/replies", profile_views.save_replies)
    get("/notices", notice_views.notices_page)
    post("/notices", notice_views.save_notices)
    get("/quarantine", quarantine_views.quarantine_list)
    get("/quarantine/{id}", quarantine_views.quarantine_raw)
    post("/quarantine/{id}/replay", quarantine_views.quarantine_replay)
    get("/admin/agents", admin_views.agents_page)
    post("/admin/agents", admin_views.agent_add)
    post("/admin/agents/{id}", admin_views.agent_update)
    get("/admin/settings", settings_views.settings_page)
    post("/admin/restart", restart_views.restart)
    get("/admin/restart/state", restart_views.restart_state)
    get("/admin/prompts", prompt_views.prompts_page)
    get("/admin/prompts/{prompt}/{language}/sound", prompt_views.prompt_sound)
    post("/admin/prompts/{prompt}/{language}/upload", prompt_views.prompt_upload)
    post("/admin/prompts/{prompt}/{language}/speak", prompt_views.prompt_speak)
    post("/admin/prompts/{prompt}/{language}/remove", prompt_views.prompt_remove)
    post("/admin/settings/modems/{id}/pin", settings_edits.modem_pin)
    post("/admin/settings/modems/{id}/puk", sim_unblock.modem_puk)
    post("/admin/settings/business-hours", settings_edits.business_hours)
    post("/admin/settings/ring-groups/{id}", settings_edits.ring_group)
    post("/admin/settings/holidays", settings_edits.holidays)
    post("/admin/settings/half-days", settings_edits.half_days)
    post("/admin/settings/mqtt", mqtt_edits.mqtt_settings)
    post("/admin/settings/voip", voip_edits.voip_settings)
    post("/admin/settings/gpio-desks/{id}", gpio_edits.gpio_desk)
    post("/admin/settings/desk-units", desk_unit_edits.desk_unit_add)
    post("/admin/settings/desk-units/{id}", desk_unit_edits.desk_unit_pair)
    post("/admin/settings/desk-units/{id}/remove", desk_unit_edits.desk_unit_remove)
    post("/admin/settings/backup", keeping_edits.backup_settings)
    post("/admin/settings/retention", keeping_edits.retention_settings)
    get("/admin/mailboxes", mailbox_views.mailboxes_page)
    post("/admin/mailboxes", mailbox_edits.mailbox_add)
    post("/admin/mailboxes/test", mailbox_edits.mailbox_test)  # before {id}
    post("/admin/mailboxes/{id}", mailbox_edits.mailbox_change)
    post("/admin/mailboxes/{id}/test", mailbox_edits.mailbox_test)
    post("/admin/mailboxes/{id}/remove", mailbox_edits.mailbox_remove)
    post("/admin/outgoing-mail", outgoing_edits.outgoing_save)
    post("/admin/outgoing-mail/test", outgoing_edits.outgoing_test)
    get("/admin/audit", audit_views.audit_page)
    get("/admin/wall-screens", wall_screen_views.wall_screens_page)
    post("/admin/wall-screens", wall_screen_views.wall_screen_add)
    post("/admin/wall-screens/{id}/revoke", wall_screen_views.wall_screen_revoke)
    post("/admin/customers/{id}/export", privacy_views.export_download)
    get("/admin/customers/{id}/erase", privacy_views.erase_page)
    post("/admin/customers/{id}/erase", privacy_views.erase_submit)
    _add_api(router)
    router.add_static("/static/", STATIC_DIR, follow_symlinks=False)


def _add_api(router: web.UrlDispatcher) -> None:
    """The JSON API: the same handlers, answering JSON under /api/."""
    get, post = router.add_get, router.add_post
    get("/api/login", auth.api_login_token)
    post("/api/login", auth.api_login)
    post("/api/logout", auth.logout)
    get("/api/stats", views.stats_api)
    get("/api/queue", views.queue_api)
    post("/api/queue/take", ticket_views.take_next)
    get("/api/tickets", ticket_lists_views.ticket_list)
    post("/api/tickets", ticket_views.create)
    get("/api/tickets/{number}", ticket_views.ticket_page)
    post("/api/tickets/{number}/reply", ticket_views.reply)
    post("/api/tickets/{number}/note", ticket_views.note)
    post("/api/tickets/{number}/fields", ticket_views.change_fields)
    post("/api/tickets/{number}/merge", ticket_views.merge)
    post("/api/tickets/{number}/pending", pending_views.set_pending)
    post("/api/tickets/{number}/tags", tag_views.tag_add)
    get("/api/after-calls/{id}", after_call_views.after_call_page)
    post("/api/after-calls/{id}", after_call_views.after_call_save)
    post("/api/tickets/{number}/tags/remove", tag_views.tag_remove)
    get("/api/customers", ticket_lists_views.customer_list)
    get("/api/search", search_views.search_page)
    post("/api/search", search_views.search_posted)
    get("/api/customers/{id}", customer_views.customer_page)
    post("/api/customers/{id}", customer_views.customer_update)
    post("/api/customers/{id}/contacts", customer_views.contact_add)
    post("/api/customers/{id}/merge", customer_views.customer_merge)
    get("/api/replies", reply_views.replies_page)
    post("/api/replies", reply_views.reply_add)
    get("/api/replies/{id}", reply_views.reply_page)
    post("/api/replies/{id}", reply_views.reply_change)
    post("/api/replies/{id}/remove", reply_views.reply_remove)
    get("/api/presence", presence_views.presence_page)
    post("/api/presence", presence_views.set_my_presence)
    get("/api/wallboard", wallboard.wallboard)
    get("/api/reports", reports.report_page)
    post("/api/password", admin_views.change_own_password)
    post("/api/profile/replies", profile_views.save_replies)
    get("/api/notices", notice_views.notices_page)
    post("/api/notices", notice_views.save_notices)
    get("/api/quarantine", quarantine_views.quarantine_list)
    post("/api/quarantine/{id}/replay", quarantine_views.quarantine_replay)
    get("/api/admin/agents", admin_views.agents_page)
    post("/api/admin/agents", admin_views.agent_add)
    post("/api/admin/agents/{id}", admin_views.agent_update)
    get("/api/admin/settings", settings_views.settings_page)
    post("/api/admin/restart", restart_views.restart)
    post("/api/admin/settings/modems/{id}/pin", settings_edits.modem_pin)
    post("/api/admin/settings/modems/{id}/puk", sim_unblock.modem_puk)
    post("/api/admin/settings/business-hours", settings_edits.business_hours)
    post("/api/admin/settings/ring-groups/{id}", settings_edits.ring_group)
    post("/api/admin/settings/holidays", settings_edits.holidays)
    post("/api/admin/settings/half-days", settings_edits.half_days)
    post("/api/admin/settings/mqtt", mqtt_edits.mqtt_settings)
    post("/api/admin/settings/voip", voip_edits.voip_settings)
    post("/api/admin/settings/gpio-desks/{id}", gpio_edits.gpio_desk)
    post("/api/admin/settings/desk-units", desk_unit_edits.desk_unit_add)
    post("/api/admin/settings/desk-units/{id}", desk_unit_edits.desk_unit_pair)
    post("/api/admin/settings/desk-units/{id}/remove", desk_unit_edits.desk_unit_remove)
    post("/api/admin/settings/backup", keeping_edits.backup_settings)
    post("/api/admin/settings/retention", keeping_edits.retention_settings)
    get("/api/admin/mailboxes", mailbox_views.mailboxes_page)
    post("/api/admin/mailboxes", mailbox_edits.mailbox_add)
    post("/api/admin/mailboxes/test", mailbox_edits.mailbox_test)
    post("/api/admin/mailboxes/{id}", mailbox_edits.mailbox_change)
    post("/api/admin/mailboxes/{id}/test", mailbox_edits.mailbox_test)
    post("/api/admin/mailboxes/{id}/remove", mailbox_edits.mailbox_remove)
    post("/api/admin/outgoing-mail", outgoing_edits.outgoing_save)
    post("/api/admin/outgoing-mail/test", outgoing_edits.outgoing_test)
    get("/api/admin/audit", audit_views.audit_page)
    get("/api/admin/wall-screens", wall_screen_views.wall_screens_page)
    post("/api/admin/wall-screens", wall_screen_views.wall_screen_add)
    post("/api/admin/wall-screens/{id}/revoke", wall_screen_views.wall_screen_revoke)
    post("/api/admin/customers/{id}/export", privacy_views.export_download)
    get("/api/admin/customers/{id}/erase", privacy_views.erase_page)
    post("/api/admin/customers/{id}/erase", privacy_views.erase_submit)
