// The cloud role's mesh identity: which trust anchors every cluster trusts, and which one signs the
// issuers. Together the two keys name a phase of a rotation; a pair that is no phase stops the run.
import { TRUST_SLOTS, TrustSlot, inSlotOrder } from "../components/trustPhases";
import { ConfigKey, PROJECT } from "./keys";
import { ConfigReader } from "./reader";
import { TrustConfig } from "./types";

const ACCEPTED_PHASES =
    `accepted: a phase of a rotation, ${PROJECT}:trustAnchors ["a"] with ${PROJECT}:issuerTrustAnchor "a", ` +
    '["a","b"] with "a", ["a","b"] with "b", or ["b"] with "b"';

/** Each thing wrong with a pair of trustAnchors and issuerTrustAnchor, by the key it is about; every message names both keys. */
function trustPhaseProblems(listed: string[], issuer: string): { key: ConfigKey; message: string }[] {
    const anchorsKey = `${PROJECT}:trustAnchors`;
    const issuerKey = `${PROJECT}:issuerTrustAnchor`;
    const list = JSON.stringify(listed);
    const slotsList = TRUST_SLOTS.map((slot) => JSON.stringify(slot)).join(" and ");
    const problems: { key: ConfigKey; message: string }[] = [];
    const anchorsProblem = (message: string) => problems.push({ key: "trustAnchors", message: `${list} ${message}; ${ACCEPTED_PHASES}` });

    if (listed.length === 0) {
        anchorsProblem(
            `is an empty list: no cluster would trust any anchor, and ${issuerKey} (${JSON.stringify(issuer)}) would sign with none`,
        );
    }
    const unknown = listed.filter((slot) => !(TRUST_SLOTS as readonly string[]).includes(slot));
    if (unknown.length > 0) {
        anchorsProblem(
            `has ${unknown.map((slot) => JSON.stringify(slot)).join(", ")}, not a slot: the slots are ${slotsList}, and ${issuerKey} names the one that signs`,
        );
    }
    const repeated = [...new Set(listed.filter((slot, index) => listed.indexOf(slot) !== index))];
    if (repeated.length > 0) {
        anchorsProblem(
            `lists ${repeated.map((slot) => JSON.stringify(slot)).join(", ")} more than once; each slot is one anchor, named once`,
        );
    }
    if (listed.length > TRUST_SLOTS.length) {
        anchorsProblem(
            `lists ${listed.length} anchors: a rotation trusts at most ${TRUST_SLOTS.length}, the current one and the next, and ${issuerKey} names the one that signs`,
        );
    }
    if (!(TRUST_SLOTS as readonly string[]).includes(issuer)) {
        problems.push({
            key: "issuerTrustAnchor",
            message: `${JSON.stringify(issuer)} is not a slot of ${anchorsKey} (the slots are ${slotsList}); ${ACCEPTED_PHASES}`,
        });
    } else if (problems.length === 0 && !listed.includes(issuer)) {
        problems.push({
            key: "issuerTrustAnchor",
            message:
                `${JSON.stringify(issuer)} is not in ${anchorsKey} ${list}: every cluster's issuer would be signed by an anchor ` +
                `that no cluster trusts; ${ACCEPTED_PHASES}`,
        });
    }
    return problems;
}

export function parseTrust(reader: ConfigReader): TrustConfig {
    const listed = reader.stringList("trustAnchors");
    const issuer = reader.string("issuerTrustAnchor");
    if (reader.hasProblem("trustAnchors") || reader.hasProblem("issuerTrustAnchor")) return { trustAnchors: ["a"], issuerTrustAnchor: "a" };
    const problems = trustPhaseProblems(listed, issuer);
    for (const { key, message } of problems) reader.problem(key, message);
    return { trustAnchors: inSlotOrder(listed as TrustSlot[]), issuerTrustAnchor: issuer as TrustSlot };
}
