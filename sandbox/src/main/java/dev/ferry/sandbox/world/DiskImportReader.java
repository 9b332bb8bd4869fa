package dev.ferry.sandbox.world;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Reads a disk image the way VM Import/Export does before converting it: as the format the import names
 * (or, when it names none, the one its content shows), with the failures ImportImage reports in a task's
 * StatusMessage ({@code ClientError: Disk validation failed [Unsupported VMDK File Format]}, ...). An OVA
 * is read through its OVF descriptor: its disks in order, the guest OS and the firmware.
 */
public final class DiskImportReader {

    /** The formats ImportImage takes. */
    public static final List<String> FORMATS = List.of("OVA", "VMDK", "VHD", "VHDX", "RAW");

    static final String UNSUPPORTED = "ClientError: Disk validation failed [Unsupported specified file format]";
    static final String UNSUPPORTED_VMDK = "ClientError: Disk validation failed [Unsupported VMDK File Format]";
    static final String UNKNOWN_OS = "ClientError: Unknown OS / Missing OS files.";

    private static final Pattern CREATE_TYPE = Pattern.compile("(?m)^\\s*createType\\s*=\\s*\"([^\"]*)\"");
    private static final int MAX_DESCRIPTOR = 16 << 20;

    private final DiskFormats formats;

    public DiskImportReader(DiskFormats formats) {
        this.formats = requireNonNull(formats, "formats is null");
    }

    /** A disk found in the image: the format its snapshot detail reports, and its raw bytes. */
    public record Disk(String format, Blob raw) {
        public Disk {
            requireNonNull(format, "format is null");
            requireNonNull(raw, "raw is null");
        }
    }

    /**
     * What the image holds: its disks (the boot disk first), and what an OVF says of the guest, when it does.
     *
     * @param guest    the guest OS the OVF names, if the sandbox knows it
     * @param bootMode {@code uefi} or {@code legacy-bios} from the OVF's firmware, or null
     */
    public record Contents(List<Disk> disks, Optional<GuestOs> guest, String bootMode) {
        public Contents {
            disks = List.copyOf(disks);
            requireNonNull(guest, "guest is null");
        }
    }

    /** The image cannot be imported; the message is the task's StatusMessage. */
    public static final class Refused extends RuntimeException {
        public Refused(String statusMessage) {
            super(statusMessage);
        }
    }

    /**
     * Reads {@code image} as {@code format} ({@code OVA}, {@code VMDK}, {@code VHD}, {@code VHDX}, {@code RAW}),
     * or as what its content shows when {@code format} is null.
     *
     * @throws Refused when VM Import/Export would end the task {@code deleted}
     */
    public Contents read(Blob image, String format) {
        String as = format != null ? format : sniff(image);
        try {
            return switch (as) {
                case "OVA" -> ova(image);
                case "VMDK" -> new Contents(List.of(new Disk("VMDK", bootable(vmdk(image)))), Optional.empty(), null);
                case "VHD" -> new Contents(List.of(new Disk("VHD", bootable(vhd(image)))), Optional.empty(), null);
                case "VHDX" -> throw new Refused(looksLike(image).equals("VHDX")
                        ? "ClientError: Disk validation failed [Unsupported VHDX File Format]: the sandbox cannot convert "
                        + "VHDX; import it as VHD, VMDK or RAW" : UNSUPPORTED);
                case "RAW" -> new Contents(List.of(new Disk("RAW", bootable(image))), Optional.empty(), null);
                default -> throw new Refused(UNSUPPORTED);
            };
        } catch (IllegalArgumentException e) {
            // DiskFormats reports damage inside a container in the import's own words
            throw new Refused(e.getMessage().startsWith("ClientError:") ? e.getMessage() : UNSUPPORTED);
        } catch (UncheckedIOException e) {
            throw new Refused("ClientError: Disk validation failed [Unable to read the disk image: "
                    + e.getCause().getMessage() + "]");
        }
    }

    /** The format the content shows: what an import that names none is read as (garbage is refused). */
    private String sniff(Blob image) {
        String seen = looksLike(image);
        return seen.equals("unknown") ? "none" : seen;
    }

    /** By magic numbers: {@code OVA}, {@code VMDK}, {@code VHD}, {@code VHDX}, {@code RAW} or {@code unknown}. */
    String looksLike(Blob image) {
        if (image.size() < 512) {
            return "unknown";
        }
        byte[] head = image.read(0, 1024);
        String magic = new String(head, 0, 8, StandardCharsets.ISO_8859_1);
        if (magic.startsWith("KDMV") || magic.startsWith("# Disk D")) {
            return "VMDK";
        }
        if (magic.equals("vhdxfile")) {
            return "VHDX";
        }
        if (head.length >= 262 && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
            return "OVA";
        }
        byte[] tail = image.read(image.size() - 512, 512);
        if (magic.equals("conectix") || new String(tail, 0, 8, StandardCharsets.ISO_8859_1).equals("conectix")) {
            return "VHD";
        }
        if (DiskFormats.looksPartitioned(image)) {
            return "RAW";
        }
        return "unknown";
    }

    /** A VM Import/Export can boot only a disk with a partition table it can find an OS behind. */
    private static Blob bootable(Blob raw) {
        if (!DiskFormats.looksPartitioned(raw)) {
            throw new Refused(UNKNOWN_OS);
        }
        return raw;
    }

    private Blob vmdk(Blob image) {
        byte[] head = image.read(0, 512);
        String magic = new String(head, 0, Math.min(8, head.length), StandardCharsets.ISO_8859_1);
        if (magic.startsWith("# Disk D")) {
            // a descriptor whose data lives in other files
            throw new Refused(UNSUPPORTED_VMDK);
        }
        if (head.length < 512 || !magic.startsWith("KDMV")) {
            throw new Refused(UNSUPPORTED);
        }
        String createType = vmdkCreateType(image);
        // AWS documents stream-optimized VMDKs; monolithic sparse ones (what the sandbox's own exports write)
        // are read too
        if (!createType.equals("streamOptimized") && !createType.equals("monolithicSparse")) {
            throw new Refused(UNSUPPORTED_VMDK);
        }
        return formats.extractRaw(image, "VMDK");
    }

    /** The createType of a sparse extent's embedded descriptor (or what its header flags imply). */
    private static String vmdkCreateType(Blob image) {
        ByteBuffer header = ByteBuffer.wrap(image.read(0, 512)).order(ByteOrder.LITTLE_ENDIAN);
        long descriptorOffset = header.getLong(28);
        long descriptorSectors = header.getLong(36);
        boolean compressed = (header.getInt(8) & (1 << 16)) != 0;
        if (descriptorOffset > 0 && descriptorSectors > 0 && descriptorSectors < 2048
                && (descriptorOffset + descriptorSectors) * 512 <= image.size()) {
            String text = new String(image.read(descriptorOffset * 512, (int) descriptorSectors * 512),
                    StandardCharsets.ISO_8859_1);
            Matcher m = CREATE_TYPE.matcher(text);
            if (m.find()) {
                return m.group(1);
            }
        }
        return compressed ? "streamOptimized" : "monolithicSparse";
    }

    private Blob vhd(Blob image) {
        if (!looksLike(image).equals("VHD")) {
            throw new Refused(UNSUPPORTED);
        }
        ByteBuffer footer = ByteBuffer.wrap(image.read(image.size() - 512, 512)).order(ByteOrder.BIG_ENDIAN);
        if (footer.getInt(60) == 4) {
            // a differencing disk: its parent is not in the file
            throw new Refused("ClientError: Footers not identical");
        }
        return formats.extractRaw(image, "VHD");
    }

    // ---- OVA ----

    private record Member(String name, long offset, long size) {
    }

    private Contents ova(Blob image) {
        if (!looksLike(image).equals("OVA")) {
            throw new Refused(UNSUPPORTED);
        }
        List<Member> members = tar(image);
        if (members.isEmpty() || !members.get(0).name().toLowerCase(Locale.ROOT).endsWith(".ovf")) {
            throw ovfError("the OVA does not start with an OVF descriptor");
        }
        Member descriptor = members.get(0);
        if (descriptor.size() > MAX_DESCRIPTOR) {
            throw ovfError("the OVF descriptor is too large");
        }
        Element envelope = parse(image.read(descriptor.offset(), (int) descriptor.size()));
        String ovf = envelope.getNamespaceURI();
        Map<String, Element> files = new LinkedHashMap<>();
        for (Element references : children(envelope, ovf, "References")) {
            for (Element file : children(references, ovf, "File")) {
                files.put(file.getAttributeNS(ovf, "id"), file);
            }
        }
        Map<String, Member> byName = new LinkedHashMap<>();
        members.forEach(m -> byName.putIfAbsent(m.name(), m));
        List<Disk> disks = new ArrayList<>();
        for (Element section : children(envelope, ovf, "DiskSection")) {
            for (Element disk : children(section, ovf, "Disk")) {
                Element file = files.get(disk.getAttributeNS(ovf, "fileRef"));
                if (file == null) {
                    throw ovfError("disk " + disk.getAttributeNS(ovf, "diskId") + " refers to no file in References");
                }
                if (!file.getAttributeNS(ovf, "chunkSize").isEmpty()) {
                    throw ovfError("OVA with chunked disk files is not supported");
                }
                String compression = file.getAttributeNS(ovf, "compression");
                if (!compression.isEmpty() && !compression.equals("identity")) {
                    throw ovfError("OVA with compressed disk files is not supported");
                }
                String href = file.getAttributeNS(ovf, "href");
                Member member = byName.get(href);
                if (member == null) {
                    throw ovfError("file " + href + " is not in the OVA");
                }
                Blob content = image.slice(member.offset(), member.size());
                if (!looksLike(content).equals("VMDK")) {
                    // an OVA carries VMDKs
                    throw new Refused(UNSUPPORTED_VMDK);
                }
                disks.add(new Disk("VMDK", vmdk(content)));
            }
        }
        if (disks.isEmpty()) {
            throw ovfError("the OVF descriptor lists no disks");
        }
        bootable(disks.get(0).raw());
        Element system = children(envelope, ovf, "VirtualSystem").stream().findFirst()
                .orElseThrow(() -> ovfError("the OVF descriptor has no VirtualSystem"));
        Optional<GuestOs> guest = children(system, ovf, "OperatingSystemSection").stream().findFirst()
                .flatMap(section -> {
                    String osType = section.getAttributeNS(OvfWriter.VMW, "osType");
                    if (!osType.isEmpty()) {
                        return GuestOs.byVmxOsType(osType);
                    }
                    try {
                        return GuestOs.byCimId(Integer.parseInt(section.getAttributeNS(ovf, "id").trim()));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                });
        String bootMode = null;
        for (Element hardware : children(system, ovf, "VirtualHardwareSection")) {
            for (Element config : children(hardware, OvfWriter.VMW, "Config")) {
                if ("firmware".equals(config.getAttributeNS(OvfWriter.VMW, "key"))) {
                    bootMode = "efi".equalsIgnoreCase(config.getAttributeNS(OvfWriter.VMW, "value"))
                            ? "uefi" : "legacy-bios";
                }
            }
        }
        return new Contents(disks, guest, bootMode);
    }

    private static Refused ovfError(String reason) {
        return new Refused("ClientError: Disk validation failed [OVF file parsing error: " + reason + "]");
    }

    /** The regular files of a ustar archive (with GNU base-256 sizes and pax path/size records). */
    private static List<Member> tar(Blob image) {
        List<Member> members = new ArrayList<>();
        long position = 0;
        String paxName = null;
        Long paxSize = null;
        while (position + 512 <= image.size()) {
            byte[] header = image.read(position, 512);
            if (allZero(header)) {
                break;
            }
            long sum = 0;
            for (int i = 0; i < 512; i++) {
                sum += i >= 148 && i < 156 ? ' ' : header[i] & 0xff;
            }
            if (octal(header, 148, 8) != sum) {
                throw ovfError("the OVA's tar header at byte " + position + " is damaged");
            }
            char type = (char) header[156];
            long size = paxSize != null ? paxSize : size(header);
            long data = position + 512;
            if (size < 0 || data + size > image.size()) {
                throw ovfError("the OVA is truncated");
            }
            if (type == 'x') {
                String records = new String(image.read(data, (int) Math.min(size, 1 << 20)), StandardCharsets.UTF_8);
                for (String record : records.split("\n")) {
                    int space = record.indexOf(' ');
                    int equals = record.indexOf('=');
                    if (space > 0 && equals > space) {
                        String key = record.substring(space + 1, equals);
                        String value = record.substring(equals + 1);
                        if (key.equals("path")) {
                            paxName = value;
                        } else if (key.equals("size")) {
                            paxSize = Long.parseLong(value.trim());
                        }
                    }
                }
            } else if (type == '0' || type == '\0' || type == '7') {
                String name = paxName != null ? paxName : name(header);
                members.add(new Member(name.startsWith("./") ? name.substring(2) : name, data, size));
                paxName = null;
                paxSize = null;
            } else {
                paxName = null;
                paxSize = null;
            }
            position = data + (size + 511) / 512 * 512;
        }
        return members;
    }

    private static String name(byte[] header) {
        String name = cString(header, 0, 100);
        String prefix = cString(header, 345, 155);
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static long size(byte[] header) {
        if ((header[124] & 0x80) != 0) {
            long value = 0;
            for (int i = 125; i < 136; i++) {
                value = (value << 8) | (header[i] & 0xff);
            }
            return value;
        }
        return octal(header, 124, 12);
    }

    private static long octal(byte[] header, int from, int length) {
        long value = 0;
        for (int i = from; i < from + length; i++) {
            byte b = header[i];
            if (b == 0 || b == ' ') {
                if (value > 0 || b == 0) {
                    break;
                }
                continue;
            }
            if (b < '0' || b > '7') {
                return -1;
            }
            value = value * 8 + (b - '0');
        }
        return value;
    }

    private static String cString(byte[] bytes, int from, int length) {
        int end = from;
        while (end < from + length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, from, end - from, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The OVF envelope, parsed without DTDs or external entities. */
    private static Element parse(byte[] xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
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
            builder.setEntityResolver((publicId, systemId) -> new InputSource(new StringReader("")));
            Document document = builder.parse(new ByteArrayInputStream(xml));
            Element envelope = document.getDocumentElement();
            if (!"Envelope".equals(envelope.getLocalName()) || envelope.getNamespaceURI() == null
                    || !envelope.getNamespaceURI().startsWith("http://schemas.dmtf.org/ovf/envelope/")) {
                throw ovfError("the descriptor is not an OVF envelope");
            }
            return envelope;
        } catch (SAXException e) {
            throw ovfError("the descriptor is not well-formed XML (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a security feature", e);
        }
    }

    private static List<Element> children(Element parent, String namespace, String name) {
        List<Element> found = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(element.getLocalName())
                    && namespace.equals(element.getNamespaceURI())) {
                found.add(element);
            }
        }
        return found;
    }
}
