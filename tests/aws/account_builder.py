"""A realistic AWS Batch account, built with plain boto3 calls, for live-mode tests.

:func:`build_account` creates, in one Region, what a team running Batch typically has — and
the mistakes batchlint's rules look for, each in a known place:

* a VPC with a public subnet (``0.0.0.0/0`` → internet gateway, explicit association), a
  private subnet whose explicit route table sends ``0.0.0.0/0`` to a NAT gateway, and an
  isolated private subnet in another AZ with NO association (the VPC's main table, local
  route only, serves it); an S3 gateway endpoint on the NAT subnet's table;
* a security group open to the world on port 22 and one without ingress;
* IAM: the Batch service role, an ECS instance role with its instance profile, a Spot Fleet
  role, a job role with an inline ``s3:*`` on ``*`` and a customer managed policy (with
  ``iam:PassRole`` on ``*``), a least-privilege job role, an execution role;
* a launch template that allows IMDSv1 and has an unencrypted EBS volume;
* compute environments: Spot on BEST_FIT with one instance type and ``minvCpus`` > 0 in the
  public subnet; On-Demand with good settings in the private subnets using the launch
  template; Fargate in the isolated subnet only;
* queues (Spot-only, On-Demand with a fair-share scheduling policy, Fargate);
* job definitions: one with every mistake, a clean one, a multi-node one, and three
  revisions of one name.

It works under ``moto.mock_aws`` (in-process) and against ``moto_server`` (pass its URL as
``endpoint_url``). moto only knows AWS managed policies when asked to load them: in-process
``mock_aws(config=MOTO_CONFIG)``, for a server ``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` (the
``tests.aws.moto_server`` fixture sets it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3

# in-process moto: attachable AWS managed policies, as in a real account
MOTO_CONFIG: dict[str, Any] = {"iam": {"load_aws_managed_policies": True}}

PREFIX = "bl-e2e"
CIDR = "10.20.0.0/16"

# the secrets the bad job definition carries in plain text: they must never be written out
DB_PASSWORD = "Tr0ub4dor-and-3-horses"
ACCESS_KEY_ID = "AKIAZ7Q3EXAMPLE4KEY2"  # AKIA + 16: the AWS access key ID format
PLAINTEXT_SECRETS = (DB_PASSWORD, ACCESS_KEY_ID)

_AWS_POLICY = "arn:aws:iam::aws:policy/"
BATCH_SERVICE_POLICY = _AWS_POLICY + "service-role/AWSBatchServiceRole"
ECS_INSTANCE_POLICY = _AWS_POLICY + "service-role/AmazonEC2ContainerServiceforEC2Role"
SPOT_FLEET_POLICY = _AWS_POLICY + "service-role/AmazonEC2SpotFleetTaggingRole"
TASK_EXECUTION_POLICY = _AWS_POLICY + "service-role/AmazonECSTaskExecutionRolePolicy"

_DIGEST = "sha256:" + "4b1d" * 16  # an image pinned by digest (the value is made up)


@dataclass
class Built:
    """What :func:`build_account` created: the IDs and ARNs the tests look findings up by."""

    account_id: str
    region: str
    vpc_id: str
    public_subnet_id: str
    nat_subnet_id: str  # private, explicit association to the NAT route table
    isolated_subnet_id: str  # private, no association: the main table (local only) serves it
    internet_gateway_id: str
    nat_gateway_id: str
    public_route_table_id: str
    nat_route_table_id: str
    main_route_table_id: str
    s3_endpoint_id: str
    open_security_group_id: str  # 0.0.0.0/0 on port 22
    closed_security_group_id: str  # no ingress
    service_role_arn: str
    instance_role_arn: str
    instance_profile_arn: str
    spot_fleet_role_arn: str
    job_role_arn: str  # inline s3:* on *, customer managed policy with iam:PassRole on *
    reader_role_arn: str  # least privilege: s3:GetObject on one bucket
    execution_role_arn: str
    managed_policy_arn: str
    launch_template_id: str
    spot_ce_arn: str
    ondemand_ce_arn: str
    fargate_ce_arn: str
    scheduling_policy_arn: str  # fair share, used by the On-Demand queue
    spot_queue_arn: str
    ondemand_queue_arn: str
    fargate_queue_arn: str
    bad_job_arn: str
    clean_job_arn: str
    multinode_job_arn: str
    revision_job_arns: list[str] = field(default_factory=list)  # oldest first

    @property
    def compute_environment_arns(self) -> list[str]:
        return [self.spot_ce_arn, self.ondemand_ce_arn, self.fargate_ce_arn]

    @property
    def latest_job_arns(self) -> list[str]:
        """The job definitions a default (latest revision) read returns."""
        return [
            self.bad_job_arn,
            self.clean_job_arn,
            self.multinode_job_arn,
            self.revision_job_arns[-1],
        ]


def _trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _tags(name: str) -> list[dict[str, Any]]:
    return [{"Key": "Name", "Value": f"{PREFIX}-{name}"}, {"Key": "team", "Value": "genomics"}]


def _spec(kind: str, name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": _tags(name)}]


class _Builder:
    def __init__(self, session: boto3.Session, region: str, endpoint_url: str | None) -> None:
        self.region = region

        def client(service: str) -> Any:
            return session.client(service, region_name=region, endpoint_url=endpoint_url)

        self.ec2 = client("ec2")
        self.iam = client("iam")
        self.batch = client("batch")
        self.account_id: str = client("sts").get_caller_identity()["Account"]

    # -- network -----------------------------------------------------------------------------

    def network(self) -> dict[str, str]:
        ec2 = self.ec2
        vpc = ec2.create_vpc(CidrBlock=CIDR, TagSpecifications=_spec("vpc", "vpc"))["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        zones = [
            z["ZoneName"]
            for z in ec2.describe_availability_zones()["AvailabilityZones"]
            if z.get("State", "available") == "available"
        ]

        def subnet(name: str, cidr: str, zone: str) -> str:
            return str(
                ec2.create_subnet(
                    VpcId=vpc,
                    CidrBlock=cidr,
                    AvailabilityZone=zone,
                    TagSpecifications=_spec("subnet", name),
                )["Subnet"]["SubnetId"]
            )

        public = subnet("public-a", "10.20.0.0/24", zones[0])
        nat_subnet = subnet("private-a", "10.20.1.0/24", zones[0])
        isolated = subnet("private-b", "10.20.2.0/24", zones[1])
        ec2.modify_subnet_attribute(SubnetId=public, MapPublicIpOnLaunch={"Value": True})

        igw = ec2.create_internet_gateway(TagSpecifications=_spec("internet-gateway", "igw"))[
            "InternetGateway"
        ]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)

        def route_table(name: str) -> str:
            return str(
                ec2.create_route_table(VpcId=vpc, TagSpecifications=_spec("route-table", name))[
                    "RouteTable"
                ]["RouteTableId"]
            )

        public_rt = route_table("public")
        ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)

        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(
            SubnetId=public, AllocationId=allocation, TagSpecifications=_spec("natgateway", "nat")
        )["NatGateway"]["NatGatewayId"]
        nat_rt = route_table("private-nat")
        ec2.create_route(RouteTableId=nat_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        ec2.associate_route_table(RouteTableId=nat_rt, SubnetId=nat_subnet)

        main_rt = ec2.describe_route_tables(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc]},
                {"Name": "association.main", "Values": ["true"]},
            ]
        )["RouteTables"][0]["RouteTableId"]

        s3_endpoint = ec2.create_vpc_endpoint(
            VpcEndpointType="Gateway",
            VpcId=vpc,
            ServiceName=f"com.amazonaws.{self.region}.s3",
            RouteTableIds=[nat_rt],
        )["VpcEndpoint"]["VpcEndpointId"]

        open_sg = ec2.create_security_group(
            GroupName=f"{PREFIX}-ssh-open", Description="batch hosts, ssh from anywhere", VpcId=vpc
        )["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=open_sg,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 22,
                    "ToPort": 22,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh"}],
                }
            ],
        )
        closed_sg = ec2.create_security_group(
            GroupName=f"{PREFIX}-batch", Description="batch hosts, egress only", VpcId=vpc
        )["GroupId"]
        return {
            "vpc_id": vpc,
            "public_subnet_id": public,
            "nat_subnet_id": nat_subnet,
            "isolated_subnet_id": isolated,
            "internet_gateway_id": igw,
            "nat_gateway_id": nat,
            "public_route_table_id": public_rt,
            "nat_route_table_id": nat_rt,
            "main_route_table_id": main_rt,
            "s3_endpoint_id": s3_endpoint,
            "open_security_group_id": open_sg,
            "closed_security_group_id": closed_sg,
        }

    # -- IAM ---------------------------------------------------------------------------------

    def role(self, name: str, service: str, *managed: str, path: str = "/") -> str:
        arn = self.iam.create_role(
            RoleName=f"{PREFIX}-{name}", Path=path, AssumeRolePolicyDocument=_trust(service)
        )["Role"]["Arn"]
        for policy_arn in managed:
            try:
                self.iam.attach_role_policy(RoleName=f"{PREFIX}-{name}", PolicyArn=policy_arn)
            except self.iam.exceptions.NoSuchEntityException:
                if not policy_arn.startswith(_AWS_POLICY):
                    raise
                raise RuntimeError(
                    f"moto does not know {policy_arn}: load AWS managed policies with "
                    "mock_aws(config=MOTO_CONFIG) or MOTO_IAM_LOAD_MANAGED_POLICIES=true"
                ) from None
        return str(arn)

    def identities(self) -> dict[str, str]:
        iam = self.iam
        out: dict[str, str] = {}
        out["service_role_arn"] = self.role(
            "batch-service", "batch.amazonaws.com", BATCH_SERVICE_POLICY, path="/service-role/"
        )
        out["instance_role_arn"] = self.role(
            "ecs-instance", "ec2.amazonaws.com", ECS_INSTANCE_POLICY
        )
        profile = iam.create_instance_profile(InstanceProfileName=f"{PREFIX}-ecs-instance")
        iam.add_role_to_instance_profile(
            InstanceProfileName=f"{PREFIX}-ecs-instance", RoleName=f"{PREFIX}-ecs-instance"
        )
        out["instance_profile_arn"] = profile["InstanceProfile"]["Arn"]
        out["spot_fleet_role_arn"] = self.role(
            "spot-fleet", "spotfleet.amazonaws.com", SPOT_FLEET_POLICY
        )

        # the job role of the bad job: every S3 action on everything, and PassRole on anything
        out["managed_policy_arn"] = iam.create_policy(
            PolicyName=f"{PREFIX}-pipeline-deploy",
            Description="lets the pipeline start its own jobs",
            PolicyDocument=_policy(
                {"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "*"},
                {"Effect": "Allow", "Action": ["batch:SubmitJob"], "Resource": "*"},
            ),
        )["Policy"]["Arn"]
        out["job_role_arn"] = self.role("job", "ecs-tasks.amazonaws.com", out["managed_policy_arn"])
        iam.put_role_policy(
            RoleName=f"{PREFIX}-job",
            PolicyName="data-access",
            PolicyDocument=_policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
        )

        out["reader_role_arn"] = self.role("reader", "ecs-tasks.amazonaws.com")
        iam.put_role_policy(
            RoleName=f"{PREFIX}-reader",
            PolicyName="read-inputs",
            PolicyDocument=_policy(
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::bl-e2e-inputs/*",
                }
            ),
        )

        out["execution_role_arn"] = self.role(
            "execution", "ecs-tasks.amazonaws.com", TASK_EXECUTION_POLICY
        )
        iam.put_role_policy(
            RoleName=f"{PREFIX}-execution",
            PolicyName="read-db-secret",
            PolicyDocument=_policy(
                {
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": self.secret_arn,
                }
            ),
        )
        return out

    @property
    def secret_arn(self) -> str:
        return f"arn:aws:secretsmanager:{self.region}:{self.account_id}:secret:{PREFIX}/db-AbCdEf"

    # -- EC2 launch template -----------------------------------------------------------------

    def launch_template(self, closed_sg: str) -> str:
        return str(
            self.ec2.create_launch_template(
                LaunchTemplateName=f"{PREFIX}-hosts",
                VersionDescription="bigger root volume",
                LaunchTemplateData={
                    "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled"},
                    "BlockDeviceMappings": [
                        {
                            "DeviceName": "/dev/xvda",
                            "Ebs": {"VolumeSize": 200, "VolumeType": "gp3", "Encrypted": False},
                        }
                    ],
                    "SecurityGroupIds": [closed_sg],
                },
            )["LaunchTemplate"]["LaunchTemplateId"]
        )

    # -- Batch -------------------------------------------------------------------------------

    def compute_environments(self, net: dict[str, str], ids: dict[str, str], lt: str) -> list[str]:
        batch = self.batch
        spot = batch.create_compute_environment(
            computeEnvironmentName=f"{PREFIX}-spot",
            type="MANAGED",
            state="ENABLED",
            serviceRole=ids["service_role_arn"],
            computeResources={
                "type": "SPOT",
                "allocationStrategy": "BEST_FIT",
                "bidPercentage": 60,
                "spotIamFleetRole": ids["spot_fleet_role_arn"],
                "minvCpus": 16,
                "maxvCpus": 256,
                "instanceTypes": ["c6i.4xlarge"],
                "subnets": [net["public_subnet_id"]],
                "securityGroupIds": [net["open_security_group_id"]],
                "instanceRole": ids["instance_profile_arn"],
                "tags": {"team": "genomics"},
            },
            tags={"team": "genomics"},
        )["computeEnvironmentArn"]
        ondemand = batch.create_compute_environment(
            computeEnvironmentName=f"{PREFIX}-ondemand",
            type="MANAGED",
            state="ENABLED",
            serviceRole=ids["service_role_arn"],
            computeResources={
                "type": "EC2",
                "allocationStrategy": "BEST_FIT_PROGRESSIVE",
                "minvCpus": 0,
                "maxvCpus": 128,
                "instanceTypes": ["c6i", "m6i", "r6i"],
                "subnets": [net["nat_subnet_id"], net["isolated_subnet_id"]],
                "securityGroupIds": [net["closed_security_group_id"]],
                "instanceRole": ids["instance_profile_arn"],
                "launchTemplate": {"launchTemplateId": lt, "version": "$Default"},
                "tags": {"team": "genomics"},
            },
            tags={"team": "genomics"},
        )["computeEnvironmentArn"]
        fargate = batch.create_compute_environment(
            computeEnvironmentName=f"{PREFIX}-fargate",
            type="MANAGED",
            state="ENABLED",
            serviceRole=ids["service_role_arn"],
            computeResources={
                "type": "FARGATE",
                "maxvCpus": 64,
                "subnets": [net["isolated_subnet_id"]],
                "securityGroupIds": [net["closed_security_group_id"]],
            },
            tags={"team": "genomics"},
        )["computeEnvironmentArn"]
        return [str(spot), str(ondemand), str(fargate)]

    def scheduling_policy(self) -> str:
        return str(
            self.batch.create_scheduling_policy(
                name=f"{PREFIX}-fair-share",
                fairsharePolicy={
                    "shareDecaySeconds": 3600,
                    "computeReservation": 10,
                    "shareDistribution": [
                        {"shareIdentifier": "research", "weightFactor": 1.0},
                        {"shareIdentifier": "production", "weightFactor": 0.5},
                    ],
                },
                tags={"team": "genomics"},
            )["arn"]
        )

    def queue(self, name: str, priority: int, *environments: str, policy: str | None = None) -> str:
        extra = {"schedulingPolicyArn": policy} if policy else {}
        return str(
            self.batch.create_job_queue(
                jobQueueName=f"{PREFIX}-{name}",
                state="ENABLED",
                priority=priority,
                computeEnvironmentOrder=[
                    {"order": i + 1, "computeEnvironment": arn}
                    for i, arn in enumerate(environments)
                ],
                tags={"team": "genomics"},
                **extra,
            )["jobQueueArn"]
        )

    def job_definitions(self, ids: dict[str, str]) -> dict[str, Any]:
        batch = self.batch
        resources = [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "4096"}]
        bad = batch.register_job_definition(
            jobDefinitionName=f"{PREFIX}-everything-wrong",
            type="container",
            containerProperties={
                "image": "public.ecr.aws/docker/library/python:latest",
                "command": ["python", "-m", "pipeline"],
                "resourceRequirements": resources,
                "privileged": True,
                "jobRoleArn": ids["job_role_arn"],
                "environment": [
                    {"name": "DB_PASSWORD", "value": DB_PASSWORD},
                    {"name": "AWS_ACCESS_KEY_ID", "value": ACCESS_KEY_ID},
                    {"name": "STAGE", "value": "prod"},
                ],
            },
        )["jobDefinitionArn"]
        clean = batch.register_job_definition(
            jobDefinitionName=f"{PREFIX}-clean",
            type="container",
            containerProperties={
                "image": f"123456789012.dkr.ecr.{self.region}.amazonaws.com/align:1.4.2@{_DIGEST}",
                "command": ["align", "Ref::sample"],
                "resourceRequirements": resources,
                "jobRoleArn": ids["reader_role_arn"],
                "executionRoleArn": ids["execution_role_arn"],
                "user": "1000:1000",
                "readonlyRootFilesystem": True,
                "environment": [{"name": "STAGE", "value": "prod"}],
                "secrets": [{"name": "DB_PASSWORD", "valueFrom": self.secret_arn}],
                "logConfiguration": {"logDriver": "awslogs"},
            },
            retryStrategy={
                "attempts": 3,
                "evaluateOnExit": [
                    {"onStatusReason": "Host EC2*", "action": "RETRY"},
                    {"onReason": "*", "action": "EXIT"},
                ],
            },
            timeout={"attemptDurationSeconds": 7200},
            propagateTags=True,
            tags={"team": "genomics"},
        )["jobDefinitionArn"]
        multinode = batch.register_job_definition(
            jobDefinitionName=f"{PREFIX}-mpi",
            type="multinode",
            nodeProperties={
                "numNodes": 4,
                "mainNode": 0,
                "nodeRangeProperties": [
                    {
                        "targetNodes": "0:3",
                        "container": {
                            "image": f"public.ecr.aws/hpc/mpi-solver:2.1@{_DIGEST}",
                            "command": ["mpirun", "solve"],
                            "resourceRequirements": resources,
                            "jobRoleArn": ids["reader_role_arn"],
                            "user": "1000",
                            "readonlyRootFilesystem": True,
                        },
                    }
                ],
            },
            retryStrategy={"attempts": 2},
            timeout={"attemptDurationSeconds": 36000},
        )["jobDefinitionArn"]
        revisions = [
            str(
                batch.register_job_definition(
                    jobDefinitionName=f"{PREFIX}-report",
                    type="container",
                    containerProperties={
                        "image": f"public.ecr.aws/acme/report:1.{n}.0",
                        "resourceRequirements": resources,
                        "user": "1000",
                    },
                    retryStrategy={"attempts": 2},
                    timeout={"attemptDurationSeconds": 600},
                )["jobDefinitionArn"]
            )
            for n in range(3)
        ]
        return {
            "bad_job_arn": bad,
            "clean_job_arn": clean,
            "multinode_job_arn": multinode,
            "revision_job_arns": revisions,
        }


def build_account(session: boto3.Session, region: str, endpoint_url: str | None = None) -> Built:
    """Create the account's resources in ``region`` and return their IDs and ARNs.

    ``endpoint_url``: a moto_server URL (otherwise boto3's own resolution applies, which
    ``mock_aws`` intercepts in-process). Creating it twice in one backend fails on the names.
    """
    b = _Builder(session, region, endpoint_url)
    net = b.network()
    ids = b.identities()
    lt = b.launch_template(net["closed_security_group_id"])
    spot, ondemand, fargate = b.compute_environments(net, ids, lt)
    policy = b.scheduling_policy()
    queues: dict[str, Any] = {
        "spot_queue_arn": b.queue("spot-only", 10, spot),
        "ondemand_queue_arn": b.queue("ondemand", 20, ondemand, policy=policy),
        "fargate_queue_arn": b.queue("fargate", 5, fargate),
    }
    ids_and_arns: dict[str, Any] = {**net, **ids, **queues, **b.job_definitions(ids)}
    return Built(
        account_id=b.account_id,
        region=region,
        launch_template_id=lt,
        spot_ce_arn=spot,
        ondemand_ce_arn=ondemand,
        fargate_ce_arn=fargate,
        scheduling_policy_arn=policy,
        **ids_and_arns,
    )
