// The KV (and isolate memory) keys of what src/loyalty/cache.ts keeps. Every key carries the company
// id. No imports: the scripts key what they seed exactly as the Worker does.

const VERSION = "v1";

export const cacheKeys = {
  memberCard: (companyId: string, memberId: string) => `${VERSION}:card:${companyId}:${memberId}`,
  rewardCatalogue: (companyId: string) => `${VERSION}:catalogue:${companyId}`,
  memberIcon: (companyId: string, memberId: string) => `${VERSION}:icon:${companyId}:${memberId}`,
  /** Isolate memory only, never written to KV. */
  programme: (companyId: string) => `${VERSION}:programme:${companyId}`,
};
