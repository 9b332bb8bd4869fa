package dev.ferry.sandbox.vcenter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.world.VirtualMachine;

/** The vCenter API's documents for a VM, field by field as the vSphere Automation API reference gives them. */
final class VcenterJson {

    private VcenterJson() {
    }

    /** {@code Vcenter VM Summary}: what {@code GET /api/vcenter/vm} lists. */
    static ObjectNode summary(VirtualMachine vm) {
        ObjectNode summary = Json.object();
        summary.put("vm", vm.id());
        summary.put("name", vm.name());
        summary.put("power_state", vm.powerState());
        summary.put("cpu_count", vm.cpuCount());
        summary.put("memory_size_MiB", vm.memoryMib());
        return summary;
    }

    /** {@code Vcenter VM Power Info}. */
    static ObjectNode power(VirtualMachine vm) {
        ObjectNode power = Json.object();
        power.put("state", vm.powerState());
        if (vm.powerState().equals(VirtualMachine.POWERED_OFF)) {
            power.put("clean_power_off", true);
        }
        return power;
    }

    /** {@code Vcenter VM Info}: what {@code GET /api/vcenter/vm/{vm}} answers. */
    static ObjectNode info(VirtualMachine vm) {
        ObjectNode info = Json.object();
        info.put("guest_OS", vm.guestOs().id());
        info.put("name", vm.name());
        info.putObject("identity").put("name", vm.name()).put("bios_uuid", vm.biosUuid())
                .put("instance_uuid", vm.instanceUuid());
        info.put("power_state", vm.powerState());
        info.put("instant_clone_frozen", false);
        info.putObject("hardware").put("upgrade_policy", "NEVER").put("upgrade_status", "NONE")
                .put("version", vm.hardwareVersion());
        ObjectNode boot = info.putObject("boot").put("type", vm.bootType()).put("delay", 0).put("retry", false)
                .put("retry_delay", 10000).put("enter_setup_mode", false);
        if (vm.bootType().equals("EFI")) {
            boot.put("efi_legacy_boot", false).put("network_protocol", "IPV4");
        }
        info.putArray("boot_devices");
        info.putObject("cpu").put("count", vm.cpuCount()).put("cores_per_socket", vm.coresPerSocket())
                .put("hot_add_enabled", false).put("hot_remove_enabled", false);
        info.putObject("memory").put("size_MiB", vm.memoryMib()).put("hot_add_enabled", false);
        ObjectNode disks = info.putObject("disks");
        for (int i = 0; i < vm.disks().size(); i++) {
            VirtualMachine.Disk disk = vm.disks().get(i);
            ObjectNode entry = disks.putObject(disk.key());
            entry.put("label", disk.label()).put("type", "SCSI");
            // unit 7 of a SCSI bus is the controller's own
            entry.putObject("scsi").put("bus", 0).put("unit", i < 7 ? i : i + 1);
            entry.putObject("backing").put("type", "VMDK_FILE").put("vmdk_file", disk.vmdkFile());
            entry.put("capacity", disk.capacityBytes());
        }
        ObjectNode nics = info.putObject("nics");
        boolean on = vm.powerState().equals(VirtualMachine.POWERED_ON);
        for (int i = 0; i < vm.nics().size(); i++) {
            VirtualMachine.Nic nic = vm.nics().get(i);
            ObjectNode entry = nics.putObject(nic.key());
            entry.put("label", nic.label()).put("type", nic.type()).put("mac_type", "ASSIGNED")
                    .put("mac_address", nic.macAddress()).put("state", on ? "CONNECTED" : "NOT_CONNECTED")
                    .put("start_connected", true).put("allow_guest_control", true).put("wake_on_lan_enabled", true)
                    .put("pci_slot_number", 160 + 32 * i).put("upt_compatibility_enabled", false);
            entry.putObject("backing").put("type", "STANDARD_PORTGROUP").put("network", nic.networkId())
                    .put("network_name", nic.networkName());
        }
        info.putObject("cdroms");
        info.putObject("floppies");
        info.putObject("parallel_ports");
        info.putObject("serial_ports");
        info.putObject("sata_adapters");
        ObjectNode scsi = info.putObject("scsi_adapters").putObject("1000");
        scsi.put("label", "SCSI controller 0").put("type", "PVSCSI").put("sharing", "NONE")
                .put("pci_slot_number", 192);
        scsi.putObject("scsi").put("bus", 0).put("unit", 7);
        info.putObject("nvme_adapters");
        return info;
    }
}
