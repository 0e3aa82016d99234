/** The segments of an execution's progress bar: the protocol's status vocabulary, each status with PCs, in its order. */
import { nonZeroCounts, ROW_STATUSES, type ExecutionCounts, type RowStatus } from "@kanade/protocol";

/** Outcomes first, then what is still under way; `not_sent` = PCs a failed publish never reached. */
export const PROGRESS_PARTS = ROW_STATUSES;

export type ProgressPart = RowStatus;

export const countParts = (counts: ExecutionCounts): { status: ProgressPart; n: number }[] => nonZeroCounts(counts);
