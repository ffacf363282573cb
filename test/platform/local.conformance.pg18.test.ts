/** The Platform conformance suite against the embedded local engine on PostgreSQL 18. */
import { describeLocalConformance } from './support/local-conformance.js';

describeLocalConformance(18);
