import type { Lang, Translate } from '../i18n.ts';
import type { Navigate } from '../shared.ts';

/** Placeholder until the module's page lands (issue 5). */
export function WishTrackPage(props: { token: string; t: Translate; lang: Lang; navigate: Navigate }) {
  return <p className="notice" data-testid="resident-WishTrackPage">{props.token}</p>;
}
