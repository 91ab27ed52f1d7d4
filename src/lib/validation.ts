/** Zod issues as one line, "path: message" (the first issue; the rest follow from fixing it). */
export function validationMessage(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return "The request is not valid";
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
