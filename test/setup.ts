// Runs before every test file imports anything from the program: without mocks in place, the SDK
// would quietly fake its engine and tests could pass without the program running at all.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { installMocks, stackConfig } from "./harness";

installMocks("cloud");
pulumi.runtime.setAllConfig(stackConfig("cloud"));

// The program checks kubernetesVersion against EKS's support calendar on the day it runs; tests run
// it on one fixed day, so that they do not start failing when a version leaves support.
vi.setSystemTime(new Date("2026-11-25T12:00:00Z"));

// aws:profile is checked against the machine's shared config and credentials files: the tests' own, not this machine's.
process.env.AWS_CONFIG_FILE = path.join(__dirname, "fixtures", "aws", "config");
process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(__dirname, "fixtures", "aws", "credentials");
