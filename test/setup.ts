// Runs before every test file imports anything from the program: without mocks in place, the SDK
// would quietly fake its engine and tests could pass without the program running at all.
import * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { installMocks, stackConfig } from "./harness";

installMocks("cloud");
pulumi.runtime.setAllConfig(stackConfig("cloud"));

// The program checks kubernetesVersion against EKS's support calendar on the day it runs; tests run
// it on one fixed day, so that they do not start failing when a version leaves support.
vi.setSystemTime(new Date("2026-11-25T12:00:00Z"));
