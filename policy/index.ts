// The policy pack: `pulumi preview --policy-pack policy` (run `npm ci` in the project root first).
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("edge-cloud-mesh", { policies });
