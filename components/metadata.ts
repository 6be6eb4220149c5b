// Manifest builders leave out the namespace of an object whose namespace the component declares: the
// component states it from the Namespace resource, so the object is created after it and deleted before it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export function inNamespace(
    metadata: pulumi.Input<k8s.types.input.meta.v1.ObjectMeta | undefined>,
    namespace: pulumi.Input<string>,
): pulumi.Output<k8s.types.input.meta.v1.ObjectMeta> {
    return pulumi.all([metadata, namespace]).apply(([resolved, name]) => ({ ...resolved, namespace: name }));
}
