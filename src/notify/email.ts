import type { Logger } from "../lib/logger";

// Email to a member, behind one small interface. Which sender there is:
// - ENVIRONMENT=development (npm run dev): none is sent; the email is logged as it would be sent;
// - else Cloudflare's send_email binding (SEND_EMAIL) with EMAIL_FROM, when both are configured;
// - else none (null): the callers say so on their pages and send nothing. Nothing fails for lack of one.

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
}

export interface EmailSender {
  sendEmail(email: OutgoingEmail): Promise<void>;
}

/** The part of the send_email binding we use (the runtime's SendEmail, its builder form). */
export interface SendEmailBinding {
  send(message: { from: string; to: string; subject: string; text: string }): Promise<unknown>;
}

export interface EmailSettings {
  environment: string;
  /** EMAIL_FROM: the sender address (of a domain set up for sending in Cloudflare). */
  from: string | undefined;
  binding: SendEmailBinding | undefined;
}

/** The optional binding, which wrangler.toml declares only where email is set up. */
export function sendEmailBinding(env: object): SendEmailBinding | undefined {
  const binding = (env as { SEND_EMAIL?: SendEmailBinding }).SEND_EMAIL;
  return binding && typeof binding.send === "function" ? binding : undefined;
}

export function emailSender(settings: EmailSettings, logger: Logger): EmailSender | null {
  if (settings.environment === "development") {
    return {
      // Locally only: the whole message (the link in it included), so a developer can follow it.
      sendEmail: async (email) => logger.info("email not sent (development): it would be", { email: { ...email } }),
    };
  }
  const { binding, from } = settings;
  if (!binding || !from) return null;
  return {
    sendEmail: async (email) => {
      await binding.send({ from, to: email.to, subject: email.subject, text: email.text });
    },
  };
}
