// AZ-220 Lab 16: the firmware update device (the course's fwupdatedevice, class SimulatedDevice), as a C# script.
// It boots, reports its firmware under properties.reported.firmware, and when a desired "firmware" arrives (from the
// automatic device configuration firmwareupdate) it plays a firmware update: downloading, verifying, applying,
// rebooting, then boots again with the new version, reporting each step.
// Run it as the course does, with the device connection string as the first argument:
//   Invoke-IotLabScript -Path FwUpdateDevice.csx -Args "<device connection string>" -Background
// Difference from the course's project: Console.ReadLine() (press Enter to stop) becomes WaitForStopAsync().

using System;
using System.Threading.Tasks;
using IotLabKit.Device;   // the course: Microsoft.Azure.Devices.Client and Microsoft.Azure.Devices.Shared

// The device connection string to authenticate the device with your IoT hub (from the command line).
string s_deviceConnectionString = "";

// Device ID variable (read from the connection string).
string DeviceID = "unknown";

// Firmware version variable.
string DeviceFWVersion = "1.0.0";

// Simple console log function: logs are prefixed with the device ID.
void LogToConsole(string text)
{
    Console.WriteLine(DeviceID + ": " + text);
}

// Where a real device reads its firmware version from the OS or the hardware; the simulation keeps it in a variable.
string GetFirmwareVersion()
{
    return DeviceFWVersion;
}

// Reports the firmware (update) status under properties.reported.firmware. Only the values given (not null) are sent,
// so each call is a partial patch. What the firmware update configuration in IoT Hub expects there:
//   currentFwVersion   the firmware version the device runs now.
//   pendingFwVersion   the version it is updating to ("" when there is no pending update).
//   fwUpdateStatus     current | downloading | verifying | applying | rebooting | error | rolledback
//   fwUpdateSubstatus  details for the status: download %, or the reason for error or rollback.
//   lastFwUpdateStartTime, lastFwUpdateEndTime
async Task UpdateFWUpdateStatus(DeviceClient client, string currentFwVersion, string pendingFwVersion, string fwUpdateStatus, string fwUpdateSubstatus, string lastFwUpdateStartTime, string lastFwUpdateEndTime)
{
    TwinCollection properties = new TwinCollection();
    if (currentFwVersion != null)
        properties["currentFwVersion"] = currentFwVersion;
    if (pendingFwVersion != null)
        properties["pendingFwVersion"] = pendingFwVersion;
    if (fwUpdateStatus != null)
        properties["fwUpdateStatus"] = fwUpdateStatus;
    if (fwUpdateSubstatus != null)
        properties["fwUpdateSubstatus"] = fwUpdateSubstatus;
    if (lastFwUpdateStartTime != null)
        properties["lastFwUpdateStartTime"] = lastFwUpdateStartTime;
    if (lastFwUpdateEndTime != null)
        properties["lastFwUpdateEndTime"] = lastFwUpdateEndTime;

    TwinCollection reportedProperties = new TwinCollection();
    reportedProperties["firmware"] = properties;

    await client.UpdateReportedPropertiesAsync(reportedProperties).ConfigureAwait(false);
}

// Runs the firmware update: download, verify, apply, reboot (simulated with waits).
async Task UpdateFirmware(DeviceClient client, string fwVersion, string fwPackageURI, string fwPackageCheckValue)
{
    LogToConsole("A firmware update was requested from version " + GetFirmwareVersion() + " to version " + fwVersion);
    await UpdateFWUpdateStatus(client, null, fwVersion, null, null, DateTime.Now.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"), null);

    // Get the new firmware binary. A real device downloads it from fwPackageURI here.
    LogToConsole("Downloading new firmware package from " + fwPackageURI);
    await UpdateFWUpdateStatus(client, null, null, "downloading", "0", null, null);
    await Task.Delay(2 * 1000);
    await UpdateFWUpdateStatus(client, null, null, "downloading", "25", null, null);
    await Task.Delay(2 * 1000);
    await UpdateFWUpdateStatus(client, null, null, "downloading", "50", null, null);
    await Task.Delay(2 * 1000);
    await UpdateFWUpdateStatus(client, null, null, "downloading", "75", null, null);
    await Task.Delay(2 * 1000);
    await UpdateFWUpdateStatus(client, null, null, "downloading", "100", null, null);
    LogToConsole("The new firmware package has been successfully downloaded.");

    // Check the binary's integrity with the checksum from the desired properties.
    LogToConsole("Verifying firmware package with checksum " + fwPackageCheckValue);
    await UpdateFWUpdateStatus(client, null, null, "verifying", null, null, null);
    await Task.Delay(5 * 1000);
    LogToConsole("The new firmware binary package has been successfully verified");

    // Apply the new firmware.
    LogToConsole("Applying new firmware");
    await UpdateFWUpdateStatus(client, null, null, "applying", null, null, null);
    await Task.Delay(5 * 1000);

    // A real device reboots here and reports the version it booted with. The end time is reported before the reboot.
    LogToConsole("Rebooting");
    await UpdateFWUpdateStatus(client, null, null, "rebooting", null, null, DateTime.Now.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ"));
    await Task.Delay(5 * 1000);

    // The simulated reboot: boot again with the new version (InitDevice reports the whole firmware block again).
    DeviceFWVersion = fwVersion;
    await InitDevice(client);
}

// Reacts to desired property changes: a "firmware" section starts a firmware update.
async Task OnDesiredPropertyChanged(TwinCollection desiredProperties, object userContext)
{
    LogToConsole("Desired property changed:");
    LogToConsole($"{desiredProperties.ToJson()}");

    // Execute firmware update.
    if (desiredProperties.Contains("firmware") && (desiredProperties["firmware"] != null))
    {
        // The desired firmware section holds:
        //   fwVersion: the version number of the new firmware to flash
        //   fwPackageURI: where to download the new firmware binary from
        //   fwPackageCheckValue: the hash that checks the integrity of the downloaded binary
        // The version is assumed to be a new one (there is no version comparison).
        TwinCollection fwProperties = new TwinCollection(desiredProperties["firmware"].ToString());
        await UpdateFirmware((DeviceClient)userContext, fwProperties["fwVersion"].ToString(), fwProperties["fwPackageURI"].ToString(), fwProperties["fwPackageCheckValue"].ToString());
    }
}

// Boot: log, and report the whole firmware block (current version, nothing pending).
async Task InitDevice(DeviceClient client)
{
    LogToConsole("Device booted");
    LogToConsole("Current firmware version: " + GetFirmwareVersion());
    await UpdateFWUpdateStatus(client, GetFirmwareVersion(), "", "current", "", "", "");
}

async Task Main(string[] args)
{
    // Get the device connection string from the command line.
    if (string.IsNullOrEmpty(s_deviceConnectionString) && args.Length > 0)
    {
        s_deviceConnectionString = args[0];
    }
    else
    {
        Console.WriteLine("Please enter the connection string as argument.");
        return;
    }

    DeviceClient deviceClient = DeviceClient.CreateFromConnectionString(s_deviceConnectionString, TransportType.Mqtt);

    // Get the device ID from the connection string.
    string[] elements = s_deviceConnectionString.Split('=', ';');
    for (int i = 0; i < elements.Length; i += 2)
    {
        if (elements[i] == "DeviceId") DeviceID = elements[i + 1];
    }

    // Run the device's boot routine.
    await InitDevice(deviceClient);

    // Attach the callback for desired property changes (the client is its user context).
    await deviceClient.SetDesiredPropertyUpdateCallbackAsync(OnDesiredPropertyChanged, deviceClient);

    // Wait until the app is stopped (the course: press Enter).
    await WaitForStopAsync();
    await deviceClient.CloseAsync();
    deviceClient.Dispose();
}

await Main(Args);
