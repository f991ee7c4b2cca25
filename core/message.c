#include "message.h"

#include <stdbool.h>
#include <string.h>

#include "i18n.h"

static const struct {
    const char *code;
    Sertel__MessageChannel ch;
} channels[] = {
    {"email", SERTEL__MESSAGE_CHANNEL__MSG_EMAIL},
    {"whatsapp", SERTEL__MESSAGE_CHANNEL__MSG_WHATSAPP},
    {"sms", SERTEL__MESSAGE_CHANNEL__MSG_SMS},
};

static const struct {
    const char *code, *title;
} states[] = {
    [SERTEL__MESSAGE_STATE__MSG_QUEUED] = {"diantrekan", N_("queued")},
    [SERTEL__MESSAGE_STATE__MSG_SENDING] = {"dikirim", N_("sending")},
    [SERTEL__MESSAGE_STATE__MSG_SENT] = {"terkirim", N_("sent")},
    [SERTEL__MESSAGE_STATE__MSG_FAILED] = {"gagal", N_("failed")},
    [SERTEL__MESSAGE_STATE__MSG_GIVEN_UP] = {"dihentikan", N_("given up")},
};

const char *message_channel_code(Sertel__MessageChannel ch)
{
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (channels[i].ch == ch)
            return channels[i].code;
    return "";
}

Sertel__MessageChannel message_channel_from_code(const char *code)
{
    for (size_t i = 0; code && i < sizeof channels / sizeof channels[0]; i++)
        if (strcmp(channels[i].code, code) == 0)
            return channels[i].ch;
    return SERTEL__MESSAGE_CHANNEL__MSG_CHANNEL_NONE;
}

static bool state_known(Sertel__MessageState st)
{
    return (int)st > 0 && (size_t)st < sizeof states / sizeof states[0];
}

const char *message_state_code(Sertel__MessageState st)
{
    return state_known(st) ? states[st].code : "";
}

const char *message_state_title(Sertel__MessageState st)
{
    return state_known(st) ? _(states[st].title) : "";
}
