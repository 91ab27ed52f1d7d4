import type { Context } from "hono";
import type { ConnectionStatus } from "../../connect/connection";
import type { ApiKey } from "../../storage/api-keys";
import type { DashboardEnv } from "../env";
import { dateTime } from "../format";
import { CheckboxField, emptyForm, FormProblems, PostForm, TextField, type FormState } from "../forms";
import { Layout } from "../layout";

// The Connection page: the addresses for Kounta, the connection, API keys, disconnecting.

export interface ConnectionForms {
  key?: FormState;
  disconnect?: FormState;
  /** Just made: its secret is shown on this page only. */
  newKey?: { id: string; name: string; key: string; manager: boolean };
}

const when = (iso: string | null) => (iso ? dateTime(Date.parse(iso)) : null);

function CopyLine(props: { id: string; label: string; value: string }) {
  return (
    <div class="field">
      <span class="label">{props.label}</span>
      <code id={props.id} class="copy-value">
        {props.value}
      </code>
      <button type="button" class="secondary" data-copy={props.id} aria-label={`Copy: ${props.label}`}>
        Copy
      </button>
    </div>
  );
}

function Status(props: { connection: ConnectionStatus }) {
  const k = props.connection;
  if (k.status !== "connected") {
    return (
      <p class="notice bad" data-figure="connection-status">
        Not connected{k.disconnected_at ? ` since ${when(k.disconnected_at)}` : ""}. <a href="/connect">Connect your Kounta account</a> to run the
        programme again.
      </p>
    );
  }
  return (
    <>
      <p>
        <span class="badge active" data-figure="connection-status">
          Connected
        </span>{" "}
        {k.connected_at ? `to Kounta since ${when(k.connected_at)}.` : "to Kounta."}
      </p>
      {k.webhook_registered ? (
        <p>Kounta sends us every completed sale, so members earn on their purchases.</p>
      ) : (
        <p class="notice warn">
          Kounta is not sending us your completed sales, so members do not earn on their purchases. <a href="/connect">Connect again</a> to fix
          this.
        </p>
      )}
    </>
  );
}

function Keys(props: { c: Context<DashboardEnv>; keys: ApiKey[] }) {
  if (props.keys.length === 0) return <p class="muted">No API key yet.</p>;
  return (
    <div class="table-wrap" tabindex={0}>
      <table data-table="api-keys">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Starts with</th>
            <th scope="col">Kind</th>
            <th scope="col">Made</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {props.keys.map((k) => (
            <tr data-key={k.id}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{k.manager ? "Manager's key" : "Standard"}</td>
              <td>{dateTime(k.createdAt)}</td>
              <td>{k.lastUsedAt ? dateTime(k.lastUsedAt) : <span class="muted">Never</span>}</td>
              <td>
                {k.revokedAt ? (
                  <span class="badge inactive">Revoked {dateTime(k.revokedAt)}</span>
                ) : (
                  <PostForm
                    c={props.c}
                    action={`/dashboard/connection/keys/${encodeURIComponent(k.id)}/revoke`}
                    class="inline"
                    confirm={`Revoke the key “${k.name}”? Whatever uses it stops working at once.`}
                    label={`Revoke ${k.name}`}
                  >
                    <button type="submit" class="danger">
                      Revoke
                    </button>
                  </PostForm>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NewKey(props: { newKey: NonNullable<ConnectionForms["newKey"]> }) {
  return (
    <div class="notice good" role="status">
      <p>
        The {props.newKey.manager ? "manager's " : ""}key “{props.newKey.name}” is ready. Copy it now and keep it somewhere safe: it is shown this once only, and cannot be shown again.
      </p>
      <CopyLine id="new-api-key" label="Your new API key" value={props.newKey.key} />
    </div>
  );
}

export function ConnectionPage(props: {
  c: Context<DashboardEnv>;
  connection: ConnectionStatus;
  keys: ApiKey[];
  urls: { customer_search: string; reward_lookup: string };
  forms: ConnectionForms;
  notice: string | null;
}) {
  const { c, connection, forms } = props;
  const keyForm = forms.key ?? emptyForm();
  const disconnectForm = forms.disconnect ?? emptyForm();
  return (
    <Layout c={c} section="Connection" title="Connection to Kounta" notice={props.notice}>
      <section class="card" aria-labelledby="status">
        <h2 id="status">Kounta</h2>
        <Status connection={connection} />
      </section>

      <section class="card" aria-labelledby="urls">
        <h2 id="urls">Addresses for the Loyalty tab</h2>
        <p>
          In Kounta, open the loyalty add-on's settings (its Loyalty tab) and paste these two addresses. They are for {connection.name} only:
          keep them to yourself, as they look up your members.
        </p>
        <CopyLine id="url-customer-search" label="Customer search URL" value={props.urls.customer_search} />
        <CopyLine id="url-reward-lookup" label="Reward lookup URL" value={props.urls.reward_lookup} />
      </section>

      <section class="card" aria-labelledby="keys">
        <h2 id="keys">API keys</h2>
        <p>An API key lets another program (a website, a back office) read and change your programme through our admin API.</p>
        {forms.newKey ? <NewKey newKey={forms.newKey} /> : null}
        <Keys c={c} keys={props.keys} />
        <h3>Make a key</h3>
        <FormProblems form={keyForm} />
        <PostForm c={c} action="/dashboard/connection/keys" label="Make an API key">
          <TextField form={keyForm} idPrefix="key" name="name" label="Name" required maxlength={100} hint="What it is for, e.g. “Website sign-up”." />
          {c.get("session").manager ? (
            <CheckboxField
              form={keyForm}
              idPrefix="key"
              name="manager"
              label="A manager's key"
              hint="It may change the limits and make large changes of points; give it only to what a manager runs."
            />
          ) : (
            <p class="muted" data-figure="manager-key-hint">
              A manager's key (it may change the limits and make large changes of points) can be made in manager mode:{" "}
              <a href="/dashboard/programme#manager">Manager mode</a>.
            </p>
          )}
          <div class="actions">
            <button type="submit">Make the key</button>
          </div>
        </PostForm>
      </section>

      <section class="card" aria-labelledby="disconnect">
        <h2 id="disconnect">Disconnect</h2>
        <p>
          Disconnecting stops the programme: the till no longer finds members or offers rewards, nothing is earned on sales, every API key stops working
          and everyone signed in to this dashboard is signed out. Your members, rewards and history are kept: connecting again brings them back.
        </p>
        <FormProblems form={disconnectForm} />
        <PostForm c={c} action="/dashboard/connection/disconnect" confirm="Disconnect from Kounta now? The till stops the programme at once." label="Disconnect">
          <CheckboxField
            form={disconnectForm}
            idPrefix="disconnect"
            name="confirm"
            label="I understand: the till stops the loyalty programme, every API key is revoked and everyone is signed out."
          />
          <div class="actions">
            <button type="submit" class="danger">
              Disconnect from Kounta
            </button>
          </div>
        </PostForm>
      </section>
    </Layout>
  );
}
