"""An EKS job definition's pod uses the host's network, written or by default.

## What it does
Flags a job definition whose `eksProperties.podProperties.hostNetwork` (the job's, or a node
range's) is true, or absent: the Batch API's default is true, and so is the Terraform
provider's (`host_network`). The boolean and the string `"true"` alike; an unknown value stays
silent. One finding per pod: the setting is the pod's, shared by all its containers.

## Why is this bad?
A pod on the host network shares the node's network namespace. Its containers can reach
every service the node listens on, loopback included (the kubelet, local agents and
daemons), can watch the node's traffic, and reach the instance metadata service as the node
itself: the IMDSv2 hop limit that keeps pods away from the node's instance role
credentials does not apply, so the job can act with the node role instead of its own service
account's IAM role. Security groups for pods and Kubernetes network policies do not apply
to it either.

## Example
```yaml
Resources:
  EksJob:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      EksProperties:
        PodProperties:
          ServiceAccountName: batch-job
          Containers:
            - Name: main
              Image: public.ecr.aws/amazonlinux/amazonlinux:2023
              Command: [sleep, "60"]
              Resources:
                Limits: {cpu: "1", memory: 2048Mi}
```

## Use instead
```yaml
Resources:
  EksJob:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      EksProperties:
        PodProperties:
          HostNetwork: false
          ServiceAccountName: batch-job
          Containers:
            - Name: main
              Image: public.ecr.aws/amazonlinux/amazonlinux:2023
              Command: [sleep, "60"]
              Resources:
                Limits: {cpu: "1", memory: 2048Mi}
```

## Known limitations
With `hostNetwork` false each pod takes an IP address of the node's subnet (with the Amazon
VPC CNI), which limits how many pods an instance can run and needs free addresses in the
subnets: size them before switching. A job that must listen on the node's ports needs the
host network; suppress the finding for it.

## References
- https://docs.aws.amazon.com/batch/latest/APIReference/API_EksPodProperties.html
- https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/batch_job_definition
- https://kubernetes.io/docs/concepts/security/pod-security-standards/
- https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
"""

from __future__ import annotations

from collections.abc import Iterator

from batchlint.model import JobDefinition, Origin
from batchlint.rule import Context, Hit, Severity, rule

_PATH = ("eksProperties", "podProperties", "hostNetwork")


@rule(
    code="BL-JD-031",
    name="eks-host-network",
    severity=Severity.WARNING,
    tags=("security",),
    fix="Set eksProperties.podProperties.hostNetwork to false",
    security_severity=5.0,
)
def check(jd: JobDefinition, ctx: Context) -> Iterator[Hit]:
    pods = [("", jd.props.get(*_PATH[:2]), jd.field(*_PATH))]
    for index, group in enumerate(jd.props.each("nodeProperties", "nodeRangeProperties")):
        pod = group.get(*_PATH[:2])
        target = group.get("targetNodes")
        where = f' of node range "{target.text() if target and target.text() else index}"'
        pods.append((where, pod, pod.get(_PATH[2]) if pod is not None else None))
    for where, pod, node in pods:
        if pod is None or pod.unknown or not pod.entries():
            continue  # not an EKS pod, or the pod is not known
        if node is None:  # absent: the API's default is true
            how, at = " (by default)", pod
        elif node.flag() is True:
            how, at = (" (by default)" if node.origin is Origin.DEFAULT else ""), node
        else:
            continue  # false, or unknown
        yield Hit(
            jd,
            f"The EKS pod{where} uses the host's network{how}, so its containers reach the "
            "node's services and its instance role through the metadata service: set "
            "eksProperties.podProperties.hostNetwork to false.",
            at,
        )
