import { keepInOutbox } from "./dev-outbox";

// Email to a member, behind one small interface, with two implementations:
// - Cloudflare's send_email binding (SEND_EMAIL) with EMAIL_FROM, when both are configured (outside
//   development);
// - the local outbox (KV), which keeps what would have been sent, in development (always: nothing
//   leaves the machine; /dev/outbox shows it) and in the tests (unless a test configures a sender
//   of its own, whole or half);
// - else none (null): nothing is queued or sent, and the pages that offer an email say so. A binding
//   without a sender address, or an address without a binding, is no sender.

export interface OutgoingEmail {
  to: string;
  /** The display name it comes from (the company's sender name). */
  fromName: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers (List-Unsubscribe). */
  headers?: Record<string, string>;
}

export interface EmailSender {
  readonly kind: "outbox" | "cloudflare";
  sendEmail(email: OutgoingEmail): Promise<void>;
}

/** The part of the send_email binding we use (the runtime's SendEmail, its builder form). */
export interface SendEmailBinding {
  send(message: {
    from: { email: string; name: string };
    to: string;
    subject: string;
    text: string;
    html: string;
    headers?: Record<string, string>;
  }): Promise<unknown>;
}

export interface EmailSettings {
  environment: string;
  /** EMAIL_FROM: the sender address (of a domain set up for sending in Cloudflare). */
  from: string | undefined;
  binding: SendEmailBinding | undefined;
  /** Where the local outbox keeps messages (development and tests). */
  outbox: KVNamespace;
}

/** The optional binding, which wrangler.toml declares only where email is set up. */
export function sendEmailBinding(env: object): SendEmailBinding | undefined {
  const binding = (env as { SEND_EMAIL?: SendEmailBinding }).SEND_EMAIL;
  return binding && typeof binding.send === "function" ? binding : undefined;
}


/** The Worker's sender, from its configuration and bindings (one place: requests, the queue consumer, jobs). */
export function configuredSender(config: { ENVIRONMENT: string; EMAIL_FROM?: string | undefined }, env: { CACHE: KVNamespace }): EmailSender | null {
  return emailSender({ environment: config.ENVIRONMENT, from: config.EMAIL_FROM, binding: sendEmailBinding(env), outbox: env.CACHE });
}

/** A header value on one line, whatever a merchant typed into their sender name. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, " ").trim();

export function emailSender(settings: EmailSettings): EmailSender | null {
  const { binding, from, outbox } = settings;
  const inOutbox = settings.environment === "development" || (settings.environment === "test" && !binding && !from);
  if (inOutbox) return { kind: "outbox", sendEmail: (email) => keepInOutbox(outbox, email) };
  if (!binding || !from) return null;
  return {
    kind: "cloudflare",
    sendEmail: async (email) => {
      await binding.send({
        from: { email: from, name: oneLine(email.fromName).slice(0, 100) || from },
        to: email.to,
        subject: oneLine(email.subject),
        text: email.text,
        html: email.html,
        ...(email.headers ? { headers: email.headers } : {}),
      });
    },
  };
}

/**
 * A short code for a failed send, to record and log: the error's own code or name when it is a plain
 * word, never its message (a provider's message may quote the address).
 */
export function sendFailureCode(err: unknown): string {
  const candidate = (err as { code?: unknown })?.code ?? (err as { name?: unknown })?.name;
  return typeof candidate === "string" && /^[A-Za-z0-9_.-]{1,40}$/.test(candidate) ? candidate : "send_failed";
}
