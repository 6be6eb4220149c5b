// Runs before every test file imports anything from the program: without mocks in place, the SDK
// would quietly fake its engine and tests could pass without the program running at all.
import * as pulumi from "@pulumi/pulumi";
import { installMocks, stackConfig } from "./harness";

installMocks("cloud");
pulumi.runtime.setAllConfig(stackConfig("cloud"));

