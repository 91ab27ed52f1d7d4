// The dashboard's stylesheet (served by ./assets.ts). Mobile first: one column on a phone, the
// navigation as a scrolling row; wider screens get a side navigation and two-column forms.
export const dashboardCss = `
:root{--ink:#1d2330;--muted:#5b6474;--line:#d9dde4;--bg:#f6f7f9;--card:#fff;--brand:#1f5fbf;--brand-ink:#fff;--bad:#b42318;--bad-bg:#fdecea;--good:#146c2e;--good-bg:#e7f5ec;--warn-bg:#fff4e0}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);line-height:1.45}
body{margin:0}
a{color:var(--brand)}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:10}
header.top{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem;padding:.75rem 1rem;background:var(--card);border-bottom:1px solid var(--line)}
header.top .company{font-weight:600}
nav.main{background:var(--card);border-bottom:1px solid var(--line);overflow-x:auto}
nav.main ul{display:flex;gap:.25rem;list-style:none;margin:0;padding:.25rem .5rem}
nav.main a{display:block;padding:.6rem .75rem;border-radius:.4rem;text-decoration:none;white-space:nowrap;color:var(--ink)}
nav.main a[aria-current=page]{background:var(--brand);color:var(--brand-ink)}
main{padding:1rem;max-width:72rem;margin:0 auto}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .75rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:1rem;margin-bottom:1rem}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.75rem;margin:0 0 1rem;padding:0}
.figure{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:.75rem 1rem;margin:0}
.figure dt{color:var(--muted);font-size:.9rem}
.figure dd{margin:.25rem 0 0;font-size:1.5rem;font-weight:600}
.table-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:.6rem;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.55rem .75rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.85rem;color:var(--muted);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr:last-child td{border-bottom:0}
form.stack{display:grid;gap:.9rem;max-width:40rem}
.field label{display:block;font-weight:600;margin-bottom:.25rem}
.field .hint{display:block;color:var(--muted);font-size:.9rem;margin-top:.25rem}
.field .error{display:block;color:var(--bad);font-weight:600;margin-top:.25rem}
input[type=text],input[type=email],input[type=tel],input[type=number],input[type=search],input[type=date],input[type=password],input[type=file],select,textarea{width:100%;font:inherit;padding:.55rem .6rem;border:1px solid #9aa3b2;border-radius:.4rem;background:#fff;color:var(--ink)}
input[aria-invalid=true],select[aria-invalid=true],textarea[aria-invalid=true]{border-color:var(--bad);outline:1px solid var(--bad)}
.check{display:flex;gap:.5rem;align-items:flex-start}.check input{margin-top:.3rem}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.55rem 1rem;border-radius:.4rem;border:1px solid var(--brand);background:var(--brand);color:var(--brand-ink);cursor:pointer;text-decoration:none;min-height:2.5rem}
button.secondary,.button.secondary{background:#fff;color:var(--brand)}
button.danger{background:var(--bad);border-color:var(--bad)}
button.link{background:none;border:0;color:var(--brand);padding:0;min-height:0;text-decoration:underline;font-weight:400}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.inline{display:inline}
.notice{padding:.75rem 1rem;border-radius:.5rem;margin-bottom:1rem}
.notice.good{background:var(--good-bg);color:var(--good)}
.notice.bad{background:var(--bad-bg);color:var(--bad)}
.notice.warn{background:var(--warn-bg)}
.muted{color:var(--muted)}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-size:.85rem;background:#eef1f5}
.badge.active,.badge.applied,.badge.sent{background:var(--good-bg);color:var(--good)}
.badge.inactive,.badge.failed,.badge.dead{background:var(--bad-bg);color:var(--bad)}
.badge.pending,.badge.queued,.badge.sending{background:var(--warn-bg)}
code,.code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef1f5;padding:.1rem .3rem;border-radius:.25rem;word-break:break-all}
.chart{width:100%;height:auto}
figure.card{margin:0 0 1rem}
.chart .earned{fill:#1f5fbf}.chart .redeemed{fill:#e08a00}
.chart text{font-size:11px;fill:#5b6474}
.legend{display:flex;gap:1rem;list-style:none;padding:0;margin:.25rem 0 0}
.legend span{display:inline-block;width:.8rem;height:.8rem;border-radius:.15rem;margin-right:.3rem;vertical-align:-.05rem}
.legend .earned{background:#1f5fbf}.legend .redeemed{background:#e08a00}
.member-card{display:flex;gap:1rem;align-items:center}
.member-card img{width:4rem;height:4rem;border-radius:50%;object-fit:cover;background:#eef1f5}
.pager{display:flex;gap:1rem;justify-content:space-between;align-items:center}
.grid2{display:grid;gap:1rem}
.sign-in{max-width:26rem;margin:4rem auto;text-align:center}
@media (min-width:48rem){
  .grid2{grid-template-columns:1fr 1fr}
  main{padding:1.5rem 2rem}
}
/* Members (pages/member-*.tsx): the member card's contact lines */
.plain{list-style:none;margin:0 0 .5rem;padding:0}
.member-card p{margin:.25rem 0}
/* Import, Activity, Connection (pages/import-*, activity-*, connection-*): the CSV example, copyable addresses and keys */
pre.example{overflow-x:auto;background:#eef1f5;padding:.75rem;border-radius:.4rem;margin:0}
pre.example code{background:none;padding:0;word-break:normal}
/* The development outbox (member-pages/dev-outbox.tsx): a message as text */
pre.outbox-text{white-space:pre-wrap;word-break:break-word}
.outbox a,.outbox strong{overflow-wrap:anywhere}
.field .label{display:block;font-weight:600;margin-bottom:.25rem}
.copy-value{display:block;margin-bottom:.5rem;padding:.5rem}
/* Programme (pages/programme-*): the settings form's groups of fields */
fieldset{display:grid;gap:.9rem;border:1px solid var(--line);border-radius:.6rem;padding:.75rem 1rem 1rem;margin:0}
legend{font-weight:600;padding:0 .35rem}
/* Programme: the contents of the page, a tier per row (one column on a phone), the manager mode mark in the header */
.contents{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:0 0 1rem}
.tier-row{display:grid;gap:.75rem}
.badge.manager{background:var(--warn-bg);color:var(--ink);text-decoration:none;font-weight:600}
@media (min-width:48rem){.tier-row{grid-template-columns:2fr 1fr 1fr;align-items:start}.tier-row .remove{grid-column:1/-1}}
/* Member pages, the card (src/member-pages/card-page.tsx): barcodes shrink on a narrow screen and keep white around them */
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
main.member-page{max-width:36rem}
.member-page h3{font-size:1rem;margin:1rem 0 .5rem}
.card-programme{margin:0;color:var(--muted);font-weight:600}
.card-points{font-size:1.25rem;margin:0 0 .75rem}.card-points strong{font-size:2.5rem}
.next-reward label{display:block;margin-bottom:.35rem}
.next-reward progress{width:100%;height:1rem;accent-color:var(--brand)}
.barcodes{display:grid;gap:1rem;justify-items:center;margin:0;padding:.75rem;background:#fff;border-radius:.5rem}
svg.barcode{display:block;max-width:100%;height:auto}
.card-number{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:1.25rem;letter-spacing:.08em}
.barcodes figcaption{text-align:center}
ol.history li,ul.rewards li{display:flex;justify-content:space-between;gap:1rem;padding:.35rem 0;border-bottom:1px solid var(--line)}
ol.history li:last-child,ul.rewards li:last-child{border-bottom:0}
/* Joining (src/member-pages/join-*): the field only robots fill in. The poster (pages/poster.tsx): A4 or A5, its tools left out of the print */
.join-extra{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.member-page .check label{font-weight:400}
.poster-tools{max-width:40rem;margin:1rem auto;padding:0 1rem}
.poster-tools a[aria-current=page]{font-weight:700;text-decoration:none}
main.poster{display:flex;flex-direction:column;align-items:center;text-align:center;background:#fff;border:1px solid var(--line);border-radius:.6rem;margin:0 auto 2rem;padding:2rem 1.5rem;max-width:210mm}
main.poster.a5{max-width:148mm}
.poster-title{font-size:2.75rem;line-height:1.1;margin:0 0 .75rem}
.poster.a5 .poster-title{font-size:2rem}
.poster-line{font-size:1.35rem;max-width:30ch;margin:0 0 1.5rem}
.poster-qr svg.barcode{width:min(80vw,120mm);height:auto}
.poster.a5 .poster-qr svg.barcode{width:min(80vw,85mm)}
.poster-url{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all;margin:1rem 0 0}
@page poster-a4{size:A4 portrait;margin:15mm}
@page poster-a5{size:A5 portrait;margin:10mm}
@media print{
  html,body{background:#fff}
  .poster-tools{display:none}
  main.poster{border:0;margin:0;max-width:none;padding:0}
  main.poster.a4{page:poster-a4}
  main.poster.a5{page:poster-a5}
}
`;
