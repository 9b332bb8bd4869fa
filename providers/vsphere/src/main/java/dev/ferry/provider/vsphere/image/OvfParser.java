package dev.ferry.provider.vsphere.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads an OVF descriptor (DMTF DSP0243, versions 1.x and 2.0) with a parser that refuses DTDs, so
 * that entity tricks (XXE, billion laughs) in a file from elsewhere can neither read local files nor
 * exhaust memory.
 */
public final class OvfParser {

    static final Set<String> OVF = Set.of("http://schemas.dmtf.org/ovf/envelope/1", "http://schemas.dmtf.org/ovf/envelope/2");
    static final String RASD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
    static final String VSSD = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData";
    static final String VMW = "http://www.vmware.com/schema/ovf";

    private static final int CPU = 3;
    private static final int MEMORY = 4;
    private static final int ETHERNET = 10;

    private OvfParser() {
    }

    /** Parses {@code xml}; {@code where} names the descriptor in messages ({@code 'app.ovf' in /x/app.ova}). */
    public static OvfDescriptor parse(byte[] xml, String where) {
        Document document = document(xml, where);
        Element envelope = document.getDocumentElement();
        if (!envelope.getLocalName().equals("Envelope") || !OVF.contains(envelope.getNamespaceURI())) {
            throw new ImageException(where + " is XML but not an OVF envelope (its root is <" + envelope.getTagName() + ">)");
        }
        String ovf = envelope.getNamespaceURI();
        List<OvfDescriptor.FileReference> files = files(envelope, ovf, where);
        List<OvfDescriptor.Disk> disks = disks(envelope, ovf, where);

        List<Element> systems = children(envelope, ovf, "VirtualSystem");
        if (systems.isEmpty()) {
            List<Element> collections = children(envelope, ovf, "VirtualSystemCollection");
            int count = collections.isEmpty() ? 0 : descendants(collections.get(0), ovf, "VirtualSystem").size();
            throw new ImageException(where + (count > 1
                    ? " describes a vApp of " + count + " virtual machines; ferry moves one VM per migration: export each VM on its own"
                    : " describes no virtual machine (no VirtualSystem element)"));
        }
        Element system = systems.get(0);
        String name = child(system, ovf, "Name").map(OvfParser::text).filter(s -> !s.isBlank())
                .orElse(attribute(system, ovf, "id").orElse("unnamed"));

        Optional<String> defaultConfiguration = defaultConfiguration(envelope, ovf);
        OptionalInt cpus = OptionalInt.empty();
        OptionalLong memory = OptionalLong.empty();
        List<OvfDescriptor.Nic> nics = new ArrayList<>();
        Optional<String> firmware = Optional.empty();
        Optional<String> hardwareVersion = Optional.empty();
        Optional<Element> hardware = child(system, ovf, "VirtualHardwareSection");
        if (hardware.isPresent()) {
            for (Element item : children(hardware.get(), ovf, "Item")) {
                if (!inConfiguration(item, ovf, defaultConfiguration)) {
                    continue;
                }
                OptionalInt type = integer(rasd(item, "ResourceType"));
                if (type.isEmpty()) {
                    continue;
                }
                switch (type.getAsInt()) {
                    case CPU -> cpus = OptionalInt.of((int) quantity(item, where, "CPU count"));
                    case MEMORY -> {
                        long quantity = quantity(item, where, "memory");
                        String units = rasd(item, "AllocationUnits").orElse("byte * 2^20");
                        memory = OptionalLong.of(Math.multiplyExact(quantity, AllocationUnits.bytes(units, where + ": memory")));
                    }
                    case ETHERNET -> nics.add(new OvfDescriptor.Nic(
                            rasd(item, "ElementName").orElse("Network adapter " + (nics.size() + 1)),
                            rasd(item, "Connection"), rasd(item, "ResourceSubType")));
                    default -> {
                    }
                }
            }
            for (Element config : children(hardware.get(), VMW, "Config")) {
                if ("firmware".equals(config.getAttributeNS(VMW, "key"))) {
                    firmware = Optional.of(config.getAttributeNS(VMW, "value")).filter(s -> !s.isBlank());
                }
            }
            hardwareVersion = child(hardware.get(), ovf, "System")
                    .flatMap(s -> children(s, VSSD, "VirtualSystemType").stream().findFirst()).map(OvfParser::text);
        }

        OvfDescriptor.GuestOsHint guest = child(system, ovf, "OperatingSystemSection")
                .map(section -> new OvfDescriptor.GuestOsHint(
                        integer(attribute(section, ovf, "id")),
                        Optional.of(section.getAttributeNS(VMW, "osType")).filter(s -> !s.isBlank()),
                        child(section, ovf, "Description").map(OvfParser::text).filter(s -> !s.isBlank())))
                .orElse(new OvfDescriptor.GuestOsHint(OptionalInt.empty(), Optional.empty(), Optional.empty()));
        return new OvfDescriptor(name, cpus, memory, disks, files, nics, guest, firmware, hardwareVersion);
    }

    private static Document document(byte[] xml, String where) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException exception) {
                }

                @Override
                public void error(SAXParseException exception) throws SAXException {
                    throw exception;
                }

                @Override
                public void fatalError(SAXParseException exception) throws SAXException {
                    throw exception;
                }
            });
            // Belt and braces: even if a DTD got through, nothing outside the file is ever read.
            builder.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
            return builder.parse(new ByteArrayInputStream(xml));
        } catch (SAXParseException e) {
            String reason = e.getMessage() != null && e.getMessage().contains("DOCTYPE")
                    ? "it declares a DOCTYPE, which ferry refuses (a DTD can make a parser read local files); OVF descriptors have none"
                    : e.getMessage();
            throw new ImageException(where + " is not a well-formed OVF descriptor (line " + e.getLineNumber() + ", column "
                    + e.getColumnNumber() + "): " + reason);
        } catch (SAXException | IOException e) {
            throw new ImageException(where + " cannot be read as an OVF descriptor: " + e.getMessage(), e);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a security feature ferry needs", e);
        }
    }

    private static List<OvfDescriptor.FileReference> files(Element envelope, String ovf, String where) {
        List<OvfDescriptor.FileReference> files = new ArrayList<>();
        for (Element references : children(envelope, ovf, "References")) {
            for (Element file : children(references, ovf, "File")) {
                String id = attribute(file, ovf, "id").orElseThrow(() -> new ImageException(where + ": a References/File has no ovf:id"));
                String href = attribute(file, ovf, "href").orElseThrow(() -> new ImageException(where + ": File '" + id + "' has no ovf:href"));
                files.add(new OvfDescriptor.FileReference(id, href, number(attribute(file, ovf, "size"), where, "File '" + id + "' size"),
                        attribute(file, ovf, "compression").filter(c -> !c.equals("identity")),
                        number(attribute(file, ovf, "chunkSize"), where, "File '" + id + "' chunkSize")));
            }
        }
        return files;
    }

    private static List<OvfDescriptor.Disk> disks(Element envelope, String ovf, String where) {
        List<OvfDescriptor.Disk> disks = new ArrayList<>();
        for (Element section : children(envelope, ovf, "DiskSection")) {
            for (Element disk : children(section, ovf, "Disk")) {
                String id = attribute(disk, ovf, "diskId").orElseThrow(() -> new ImageException(where + ": a DiskSection/Disk has no ovf:diskId"));
                String capacity = attribute(disk, ovf, "capacity")
                        .orElseThrow(() -> new ImageException(where + ": disk '" + id + "' has no ovf:capacity"));
                long units = AllocationUnits.bytes(attribute(disk, ovf, "capacityAllocationUnits").orElse("byte"),
                        where + ": disk '" + id + "' capacityAllocationUnits");
                long quantity = number(Optional.of(capacity), where, "disk '" + id + "' capacity").orElseThrow();
                disks.add(new OvfDescriptor.Disk(id, Math.multiplyExact(quantity, units), attribute(disk, ovf, "fileRef"),
                        attribute(disk, ovf, "format")));
            }
        }
        return disks;
    }

    private static Optional<String> defaultConfiguration(Element envelope, String ovf) {
        for (Element section : children(envelope, ovf, "DeploymentOptionSection")) {
            List<Element> configurations = children(section, ovf, "Configuration");
            for (Element configuration : configurations) {
                if ("true".equals(attribute(configuration, ovf, "default").orElse(""))) {
                    return attribute(configuration, ovf, "id");
                }
            }
            if (!configurations.isEmpty()) {
                return attribute(configurations.get(0), ovf, "id");
            }
        }
        return Optional.empty();
    }

    /** Items tied to deployment configurations count only when they belong to the default one. */
    private static boolean inConfiguration(Element item, String ovf, Optional<String> defaultConfiguration) {
        Optional<String> configurations = attribute(item, ovf, "configuration");
        if (configurations.isEmpty() || defaultConfiguration.isEmpty()) {
            return true;
        }
        return List.of(configurations.get().trim().split("\\s+")).contains(defaultConfiguration.get());
    }

    private static long quantity(Element item, String where, String what) {
        Optional<String> value = rasd(item, "VirtualQuantity");
        return number(value, where, what).orElseThrow(() -> new ImageException(where + ": the " + what + " item has no VirtualQuantity"));
    }

    private static OptionalLong number(Optional<String> text, String where, String what) {
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long value = Long.parseLong(text.get().trim());
            if (value < 0) {
                throw new NumberFormatException();
            }
            return OptionalLong.of(value);
        } catch (NumberFormatException e) {
            throw new ImageException(where + ": " + what + " is '" + text.get() + "', not a whole number"
                    + (text.get().contains("${") ? " (OVF properties are not supported: export the VM with its values filled in)" : ""));
        }
    }

    private static OptionalInt integer(Optional<String> text) {
        try {
            return text.map(s -> OptionalInt.of(Integer.parseInt(s.trim()))).orElse(OptionalInt.empty());
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static Optional<String> rasd(Element item, String name) {
        return children(item, RASD, name).stream().findFirst().map(OvfParser::text);
    }

    private static Optional<String> attribute(Element element, String namespace, String name) {
        String value = element.getAttributeNS(namespace, name);
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static Optional<Element> child(Element parent, String namespace, String name) {
        return children(parent, namespace, name).stream().findFirst();
    }

    private static List<Element> children(Element parent, String namespace, String name) {
        List<Element> found = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(element.getLocalName()) && namespace.equals(element.getNamespaceURI())) {
                found.add(element);
            }
        }
        return found;
    }

    private static List<Element> descendants(Element parent, String namespace, String name) {
        List<Element> found = new ArrayList<>();
        var nodes = parent.getElementsByTagNameNS(namespace, name);
        for (int i = 0; i < nodes.getLength(); i++) {
            found.add((Element) nodes.item(i));
        }
        return found;
    }

    private static String text(Element element) {
        return element.getTextContent().trim();
    }
}
