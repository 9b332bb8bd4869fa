package dev.ferry.provider.aws.target;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.FerryException;
import dev.ferry.engine.permission.Permission;
import dev.ferry.engine.provider.ApplyContext;
import dev.ferry.engine.provider.Note;
import dev.ferry.engine.provider.Observation;
import dev.ferry.engine.provider.Operation;
import dev.ferry.engine.provider.Outcome;
import dev.ferry.engine.provider.PlanRequest;
import dev.ferry.engine.provider.PlanResult;
import dev.ferry.engine.provider.RefreshRequest;
import dev.ferry.engine.provider.ResourceSchema;
import dev.ferry.engine.resource.Attributes;
import dev.ferry.engine.resource.Identity;
import dev.ferry.engine.resource.ResourceAddress;
import dev.ferry.provider.aws.client.AwsCalls;
import dev.ferry.provider.aws.client.AwsClients;
import dev.ferry.provider.aws.client.Ec2Tags;
import dev.ferry.provider.aws.client.IamPolicy;
import dev.ferry.provider.aws.client.Json;
import dev.ferry.provider.aws.task.AwsResource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.ec2.model.LaunchTemplate;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceNetworkInterfaceSpecification;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateInstanceNetworkInterfaceSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateTagSpecification;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateTagSpecificationRequest;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateVersion;
import software.amazon.awssdk.services.ec2.model.RequestLaunchTemplateData;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.ResponseLaunchTemplateData;

/**
 * {@code aws_launch_template}: a launch template whose latest version, also its default, launches the backup image
 * of the new instance with the instance's type, its subnet and security groups (on the primary network interface)
 * and its tags (on the instance and its volumes): what replaces the instance if it is ever terminated. The private
 * address is left out, so a launch does not fail while the original still holds it. A change of what it launches
 * (a new backup image, another type, subnet, groups or tags) adds a version and makes it the default, as versions
 * cannot change; earlier versions stay. A new name replaces the template.
 */
public final class LaunchTemplateResource extends AwsResource {

    public static final String NAME = "aws_launch_template";
    private static final String LATEST = "$Latest";

    public LaunchTemplateResource(AwsClients clients, AwsCalls calls) {
        super(NAME, new ResourceSchema(Set.of("image_id", "instance_type", "subnet", "security_groups", "tags")), clients, calls);
    }

    /** The launch parameters of one version, as ferry compares them: what it launches and how it tags it. */
    record Launch(Optional<String> imageId, Optional<String> instanceType, Optional<String> subnet, List<String> securityGroups,
                  Map<String, String> instanceTags, Map<String, String> volumeTags) {

        Launch {
            securityGroups = securityGroups.stream().sorted().toList();
            instanceTags = new TreeMap<>(instanceTags);
            volumeTags = new TreeMap<>(volumeTags);
        }

        static Launch wanted(Attributes arguments) {
            Map<String, String> tags = Ec2Tags.fromArgument(arguments);
            tags.putIfAbsent("Name", arguments.optionalText("instance_name").orElse(arguments.text("name")));
            return new Launch(Optional.of(arguments.text("image_id")), Optional.of(arguments.text("instance_type")),
                    Optional.of(arguments.text("subnet")), Json.strings(arguments.find("security_groups").orElse(null)), tags, tags);
        }

        static Launch of(ResponseLaunchTemplateData data) {
            Optional<LaunchTemplateInstanceNetworkInterfaceSpecification> primary = data.networkInterfaces().stream()
                    .filter(nic -> nic.deviceIndex() == null || nic.deviceIndex() == 0).findFirst();
            List<String> groups = primary.map(LaunchTemplateInstanceNetworkInterfaceSpecification::groups).orElse(data.securityGroupIds());
            Map<String, String> instance = new TreeMap<>();
            Map<String, String> volume = new TreeMap<>();
            for (LaunchTemplateTagSpecification spec : data.tagSpecifications()) {
                if (spec.resourceType() == ResourceType.INSTANCE) {
                    instance.putAll(Ec2Tags.map(spec.tags()));
                } else if (spec.resourceType() == ResourceType.VOLUME) {
                    volume.putAll(Ec2Tags.map(spec.tags()));
                }
            }
            return new Launch(Optional.ofNullable(data.imageId()), Optional.ofNullable(data.instanceTypeAsString()),
                    primary.map(LaunchTemplateInstanceNetworkInterfaceSpecification::subnetId), groups, instance, volume);
        }

        RequestLaunchTemplateData request() {
            LaunchTemplateInstanceNetworkInterfaceSpecificationRequest.Builder nic = LaunchTemplateInstanceNetworkInterfaceSpecificationRequest
                    .builder().deviceIndex(0).deleteOnTermination(true);
            subnet.ifPresent(nic::subnetId);
            if (!securityGroups.isEmpty()) {
                nic.groups(securityGroups);
            }
            RequestLaunchTemplateData.Builder data = RequestLaunchTemplateData.builder().networkInterfaces(nic.build())
                    .tagSpecifications(specification(ResourceType.INSTANCE, instanceTags), specification(ResourceType.VOLUME, volumeTags));
            imageId.ifPresent(data::imageId);
            instanceType.ifPresent(data::instanceType);
            return data.build();
        }

        private static LaunchTemplateTagSpecificationRequest specification(ResourceType type, Map<String, String> tags) {
            return LaunchTemplateTagSpecificationRequest.builder().resourceType(type).tags(Ec2Tags.list(tags)).build();
        }

        /** A ClientToken for the version holding exactly these parameters, so a repeated call makes no second one. */
        String token(Identity identity) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(toString().getBytes(StandardCharsets.UTF_8));
                return identity.token() + "-" + HexFormat.of().formatHex(digest, 0, 16);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public PlanResult plan(PlanRequest request) {
        Attributes desired = request.desired();
        List<Note> notes = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        String name = desired.text("name");
        boolean renamed = request.prior().map(prior -> !name.equals(prior.arguments().path("name").asText())).orElse(true);
        if (renamed) {
            // A name is unique in the region: one that another template holds would stop the apply half-way.
            byName(name).filter(template -> !ours(template, request.address())).ifPresent(template -> errors.add(
                    "launch template " + name + " already exists in " + clients.regionName() + " (" + template.launchTemplateId()
                            + ") and ferry did not make it for " + request.address() + "; choose another target.ec2.launch_template.name,"
                            + " or delete that template"));
        }
        if (request.prior().isPresent() && !renamed && !desired.isKnown("image_id")) {
            notes.add(Note.info("a new version of launch template " + name + " will launch the new backup image and become its"
                    + " default version; earlier versions stay"));
        }
        return new PlanResult(desired, Json.object().put("name", name), notes, errors);
    }

    private boolean ours(LaunchTemplate template, ResourceAddress address) {
        return address.toString().equals(Ec2Tags.map(template.tags()).get(Identity.ADDRESS_TAG));
    }

    private Optional<LaunchTemplate> byName(String name) {
        List<LaunchTemplate> found = new ArrayList<>();
        calls.run("EC2 DescribeLaunchTemplates " + name, () -> clients.ec2().describeLaunchTemplatesPaginator(r -> r
                .filters(Ec2Tags.filter("launch-template-name", name))).forEach(page -> found.addAll(page.launchTemplates())));
        return found.stream().findFirst();
    }

    private static Map<String, String> templateTags(Attributes arguments, Identity identity) {
        Map<String, String> tags = Ec2Tags.fromArgument(arguments);
        tags.putIfAbsent("Name", arguments.text("name"));
        return Ec2Tags.of(identity, tags);
    }

    private static String description(Attributes arguments, Identity identity) {
        return "ferry: launches " + arguments.text("image_id") + " for " + identity.address();
    }

    @Override
    public Outcome create(ApplyContext context) {
        Attributes arguments = context.arguments();
        Identity identity = context.identity();
        String name = arguments.text("name");
        Launch launch = Launch.wanted(arguments);
        context.progress("creating launch template " + name + " for " + arguments.text("image_id"));
        LaunchTemplate template;
        try {
            template = calls.call("EC2 CreateLaunchTemplate " + name, () -> clients.ec2().createLaunchTemplate(r -> r
                    .launchTemplateName(name)
                    .clientToken(identity.token())
                    .versionDescription(description(arguments, identity))
                    .launchTemplateData(launch.request())
                    .tagSpecifications(Ec2Tags.specification(ResourceType.LAUNCH_TEMPLATE, templateTags(arguments, identity)))))
                    .launchTemplate();
        } catch (FerryException e) {
            if (AwsCalls.hasCode(e.getCause(), "InvalidLaunchTemplateName.AlreadyExistsException")) {
                Optional<Found> made = findExisting(identity, arguments);
                if (made.isPresent()) {
                    return new Outcome.Done(made.get().id(), describe(made.get().id()).map(LaunchTemplateResource::outputs).orElseThrow());
                }
                throw new FerryException("launch template " + name + " already exists in " + clients.regionName()
                        + " and ferry did not make it for " + identity.address() + "; choose another target.ec2.launch_template.name,"
                        + " or delete that template", e);
            }
            throw e;
        }
        return new Outcome.Done(template.launchTemplateId(), outputs(template, launch));
    }

    private static ObjectNode outputs(LaunchTemplate template, Launch latest) {
        ObjectNode outputs = Json.object().put("id", template.launchTemplateId()).put("name", template.launchTemplateName())
                .put("default_version", template.defaultVersionNumber()).put("latest_version", template.latestVersionNumber());
        latest.imageId().ifPresent(image -> outputs.put("image_id", image));
        latest.instanceType().ifPresent(type -> outputs.put("instance_type", type));
        return outputs;
    }

    private static ObjectNode outputs(Described described) {
        return outputs(described.template(), described.latest());
    }

    /** A template with the launch parameters of its latest version. */
    private record Described(LaunchTemplate template, Launch latest) {
    }

    private Optional<Described> describe(String id) {
        Optional<LaunchTemplate> template = templates(List.of(id)).values().stream().findFirst();
        return template.map(found -> new Described(found, latest(id)));
    }

    private Launch latest(String id) {
        LaunchTemplateVersion version = calls.call("EC2 DescribeLaunchTemplateVersions " + id, () -> clients.ec2()
                .describeLaunchTemplateVersions(r -> r.launchTemplateId(id).versions(LATEST))).launchTemplateVersions().get(0);
        return Launch.of(version.launchTemplateData());
    }

    /** The templates of {@code ids} that exist; a missing one is left out, not an error. */
    private Map<String, LaunchTemplate> templates(List<String> ids) {
        Map<String, LaunchTemplate> found = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        try {
            calls.run("EC2 DescribeLaunchTemplates", () -> clients.ec2().describeLaunchTemplatesPaginator(r -> r.launchTemplateIds(ids))
                    .forEach(page -> page.launchTemplates().forEach(template -> found.put(template.launchTemplateId(), template))));
        } catch (FerryException e) {
            if (!AwsCalls.hasCode(e.getCause(), "InvalidLaunchTemplateId.NotFound") || ids.size() == 1) {
                if (AwsCalls.hasCode(e.getCause(), "InvalidLaunchTemplateId.NotFound")) {
                    return found;
                }
                throw e;
            }
            // EC2 refuses the whole list when one is missing: ask for each.
            for (String id : ids) {
                found.putAll(templates(List.of(id)));
            }
        }
        return found;
    }

    @Override
    public Map<ResourceAddress, Observation> refresh(List<RefreshRequest> requests) {
        Map<String, LaunchTemplate> found = templates(requests.stream().map(RefreshRequest::id).distinct().toList());
        Map<ResourceAddress, Observation> observed = new HashMap<>();
        for (RefreshRequest request : requests) {
            LaunchTemplate template = found.get(request.id());
            if (template == null) {
                observed.put(request.address(), new Observation.Gone());
                continue;
            }
            Launch latest = latest(template.launchTemplateId());
            ObjectNode arguments = Json.object().put("name", template.launchTemplateName());
            latest.imageId().ifPresent(image -> arguments.put("image_id", image));
            latest.instanceType().ifPresent(type -> arguments.put("instance_type", type));
            latest.subnet().ifPresent(subnet -> arguments.put("subnet", subnet));
            List<String> recordedGroups = Json.strings(request.arguments().get("security_groups"));
            // the same groups in another order are the same launch
            arguments.set("security_groups", Json.array(latest.securityGroups().equals(recordedGroups.stream().sorted().toList())
                    ? recordedGroups : latest.securityGroups()));
            if (request.arguments().has("tags")) {
                // the file's tags as the latest version gives them to an instance it launches
                ObjectNode tags = Json.object();
                request.arguments().path("tags").fieldNames().forEachRemaining(key -> {
                    if (latest.instanceTags().containsKey(key)) {
                        tags.put(key, latest.instanceTags().get(key));
                    }
                });
                arguments.set("tags", tags);
            }
            observed.put(request.address(), new Observation.Exists(arguments, outputs(template, latest)));
        }
        return observed;
    }

    @Override
    public Optional<Found> findExisting(Identity identity, Attributes arguments) {
        List<LaunchTemplate> found = new ArrayList<>();
        calls.run("EC2 DescribeLaunchTemplates", () -> clients.ec2().describeLaunchTemplatesPaginator(r -> r.filters(Ec2Tags.tokenFilter(identity)))
                .forEach(page -> found.addAll(page.launchTemplates())));
        return found.stream().findFirst().map(template -> new Found(template.launchTemplateId(), Optional.empty()));
    }

    /**
     * A version cannot change: what it launches changes by a new version, which becomes the default. A latest version
     * that already launches what is wanted (a run cut short after making it) is made the default instead.
     */
    @Override
    public Outcome update(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        Attributes arguments = context.arguments();
        Identity identity = context.identity();
        Launch wanted = Launch.wanted(arguments);
        Described now = describe(id).orElseThrow(() -> new FerryException("launch template " + id + " no longer exists; run plan again"));
        long version = now.template().latestVersionNumber();
        if (!now.latest().equals(wanted)) {
            context.progress("adding a version to launch template " + id + " that launches " + arguments.text("image_id"));
            version = calls.call("EC2 CreateLaunchTemplateVersion " + id, () -> clients.ec2().createLaunchTemplateVersion(r -> r
                    .launchTemplateId(id)
                    .clientToken(wanted.token(identity))
                    .versionDescription(description(arguments, identity))
                    .launchTemplateData(wanted.request()))).launchTemplateVersion().versionNumber();
        }
        if (now.template().defaultVersionNumber() != version) {
            long made = version;
            calls.run("EC2 ModifyLaunchTemplate " + id, () -> clients.ec2().modifyLaunchTemplate(r -> r.launchTemplateId(id)
                    .defaultVersion(Long.toString(made))));
        }
        Ec2Tags.retag(clients, calls, List.of(id), templateTags(arguments, identity),
                Ec2Tags.fromArgument(Attributes.of(context.prior().get().arguments())));
        Described after = describe(id).orElseThrow(() -> new FerryException("launch template " + id + " vanished while it was updated"));
        return new Outcome.Done(id, outputs(after));
    }

    @Override
    public Outcome delete(ApplyContext context) {
        String id = context.prior().orElseThrow().id();
        context.progress("deleting launch template " + id);
        try {
            calls.run("EC2 DeleteLaunchTemplate " + id, () -> clients.ec2().deleteLaunchTemplate(r -> r.launchTemplateId(id)));
        } catch (FerryException e) {
            if (!AwsCalls.hasCode(e.getCause(), "InvalidLaunchTemplateId.NotFound")) {
                throw e;
            }
        }
        return new Outcome.Deleted();
    }

    /** Nothing here is long: every call answers with its result, so there is no operation to follow but one recorded by a crash. */
    @Override
    public Outcome poll(ApplyContext context, Operation operation) {
        if (operation.kind().equals(Operation.DELETE)) {
            return delete(context);
        }
        String id = operation.resourceId().orElse(operation.id());
        return describe(id).map(described -> (Outcome) new Outcome.Done(id, outputs(described)))
                .orElseThrow(() -> new FerryException("launch template " + id + " is not listed by EC2; run apply again"));
    }

    /**
     * What the launch template needs: its name checked and found (DescribeLaunchTemplates), made with its tags, a version
     * added and made the default for each new backup, its versions read, retagged, and deleted when it goes.
     */
    public static List<Permission> permissions(IamPolicy.Scope scope, String address, Attributes arguments) {
        String why = address + " keeps the launch template of the backup AMI";
        List<Permission> needed = new ArrayList<>();
        for (String action : List.of("ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions", "ec2:CreateLaunchTemplate",
                "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplate", "ec2:CreateTags",
                "ec2:DeleteTags")) {
            needed.add(Permission.of(action, List.of("*"), why));
        }
        return needed;
    }
}
