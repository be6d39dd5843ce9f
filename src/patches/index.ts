import type { PatchPoint } from '../codemod/patch.ts';
import profileCandidates from './profile-candidates.ts';
import profileFilters from './profile-filters.ts';
import profilePicked from './profile-picked.ts';
import profileScores from './profile-scores.ts';
import serverRequest from './server-request.ts';
import schedulerDecision from './scheduler-decision.ts';
import schedulerProfile from './scheduler-profile.ts';
import serverSelected from './server-selected.ts';

/** Every decision point, in the order of a request's life. */
export const PATCH_POINTS: readonly PatchPoint[] = [
  schedulerProfile,
  schedulerDecision,
  profileCandidates,
  profileFilters,
  profileScores,
  profilePicked,
  serverRequest,
  serverSelected,
];
