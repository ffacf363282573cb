/** The Platform conformance suite against the embedded local engine on PostgreSQL 17. */
import { describeLocalConformance } from './support/local-conformance.js';

describeLocalConformance(17);
