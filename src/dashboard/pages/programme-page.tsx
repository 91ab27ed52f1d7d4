import type { Context } from "hono";
import { listEarningRules } from "../../loyalty/earning/earning-rules";
import { getLimits } from "../../loyalty/limits";
import { getNotificationSettings } from "../../loyalty/notifications/settings";
import { getSettings } from "../../loyalty/settings";
import { getTierProgramme } from "../../loyalty/tiers/tiers";
import type { DashboardEnv } from "../env";
import { emptyForm, type FormState } from "../forms";
import { Layout, noticeFor, render, type Notices } from "../layout";
import { limitsFormValues, LimitsSection, ManagerSection } from "./programme-limits";
import { messagesFormValues, MessagesSection } from "./programme-messages";
import { EarningRules, type RuleForms } from "./programme-rules";
import { SettingsForm, settingsFormValues } from "./programme-settings";
import { tiersFormValues, TiersSection } from "./programme-tiers";

// The programme page: the settings, the tiers, the earning rules, the messages to members, manager
// mode and the limits, each its own form posting to its own address (programme.tsx,
// programme-actions.tsx). A refused form is drawn again here with what was typed; the other forms
// show what is stored.

type Ctx = Context<DashboardEnv>;

const notices: Notices = {
  saved: "The settings were saved: the POS and earning use them from now on.",
  unchanged: "Nothing had changed: the settings are as they were.",
  "rule-added": "The rule was added: sales from now on earn by it.",
  "rule-removed": "The rule was removed: sales from now on earn without it.",
  "tiers-saved":
    "The tiers were saved: the POS shows the new levels and sales earn by them from now on. Members' recorded levels and their history follow within a few minutes.",
  "limits-saved": "The limits were saved: the till checks them from now on.",
  "limits-code-set":
    "The limits and the manager code were saved. From now on only a session in manager mode can change the limits: enter the code under Manager mode.",
  "manager-on": "This session is in manager mode until you leave it or sign out.",
  "manager-off": "This session has left manager mode.",
  "messages-saved": "The messages to members were saved: they apply from now on, also to messages not sent yet.",
};

export interface ProgrammeForms {
  settings?: FormState;
  rules?: RuleForms;
  tiers?: FormState;
  limits?: FormState;
  manager?: FormState;
  messages?: FormState;
}

const contents = [
  ["settings-title", "Settings"],
  ["tiers", "Tiers"],
  ["rules-title", "Earning rules"],
  ["messages", "Messages to members"],
  ["manager", "Manager mode"],
  ["limits", "Limits"],
] as const;

export async function programmePage(c: Ctx, status: 200 | 400 | 403 | 409, forms: ProgrammeForms = {}) {
  const { db } = c.get("services");
  const companyId = c.get("session").companyId;
  const [settings, rules, tiers, limits, messages] = await Promise.all([
    getSettings(db, companyId),
    listEarningRules(db, companyId),
    getTierProgramme(db, companyId),
    getLimits(db, companyId),
    getNotificationSettings(db, companyId),
  ]);
  // A session exists only for a company that exists (its row is never deleted).
  if (!settings || !tiers || !limits || !messages) throw new Error("signed-in company has no row");
  return render(
    c,
    <Layout c={c} section="Programme" title="Programme" notice={status === 200 ? noticeFor(c, notices) : null}>
      <p>How members earn {settings.pointsLabel}, what the POS shows them, the levels of the programme, and what the rewards use.</p>
      <nav aria-label="On this page">
        <ul class="contents">
          {contents.map(([id, label]) => (
            <li>
              <a href={`#${id}`}>{label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <SettingsForm c={c} settings={settings} form={forms.settings ?? emptyForm(settingsFormValues(settings))} />
      <TiersSection c={c} form={forms.tiers ?? emptyForm(tiersFormValues(tiers))} programme={tiers} currency={settings.currency} pointsLabel={settings.pointsLabel} />
      <EarningRules c={c} rules={rules} forms={forms.rules ?? {}} pointsLabel={settings.pointsLabel} />
      <MessagesSection
        c={c}
        form={forms.messages ?? emptyForm(messagesFormValues(messages))}
        settings={messages}
        sendingConfigured={c.get("services").emailSender !== null}
      />
      <ManagerSection c={c} form={forms.manager ?? emptyForm()} limits={limits} pointsLabel={settings.pointsLabel} />
      <LimitsSection c={c} form={forms.limits ?? emptyForm(limitsFormValues(limits))} limits={limits} pointsLabel={settings.pointsLabel} />
    </Layout>,
    status,
  );
}
