@{
    RootModule           = 'IotLabKit.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'a6f3f7f4-5b1e-4c39-9d55-0c6a2b1e7a10'
    Author               = 'IotLabKit'
    CompanyName          = 'IotLabKit'
    Copyright            = '(c) IotLabKit contributors. MIT licence.'
    Description          = 'Azure IoT Hub device management for the AZ-220 labs: cmdlets, a local IoT Hub emulator, guided labs and quizzes.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @(
        'IotLabKit.format.ps1xml'
        'IotLabKit.Quiz.format.ps1xml'
        'IotLabKit.Jobs.format.ps1xml'
        'IotLabKit.Simulation.format.ps1xml'
        'IotLabKit.Configurations.format.ps1xml'
        'IotLabKit.Labs.format.ps1xml'
        'IotLabKit.EventHubs.format.ps1xml'
        'IotLabKit.CloudToDevice.format.ps1xml'
    )
    CmdletsToExport      = @(
        # Hub and emulator
        'Start-IotHubEmulator'
        'Stop-IotHubEmulator'
        'Get-IotHubEmulator'
        'Get-IotHubEventHubConnectionString'
        'Connect-IotHub'
        'Disconnect-IotHub'
        # Devices and twins
        'New-IotDevice'
        'Get-IotDevice'
        'Set-IotDevice'
        'Remove-IotDevice'
        'Get-IotDeviceConnectionString'
        'Get-Twin'
        'Set-TwinDesired'
        'Set-TwinTags'
        # Jobs
        'New-IotJob'
        'Get-IotJob'
        'Wait-IotJob'
        'Stop-IotJob'
        'Get-IotJobDeviceResult'
        # Queries
        'Invoke-IotQuery'
        # Direct methods, telemetry and simulated devices
        'Invoke-DeviceMethod'
        'Receive-IotTelemetry'
        'Get-IotHubConsumerGroup'
        'New-IotHubConsumerGroup'
        'Remove-IotHubConsumerGroup'
        # Cloud-to-device messages
        'Send-CloudToDeviceMessage'
        'Receive-CloudToDeviceFeedback'
        'Clear-CloudToDeviceQueue'
        'Start-SimulatedDevice'
        'Get-SimulatedDevice'
        'Stop-SimulatedDevice'
        'New-SimulatedFleet'
        # Automatic device management
        'New-AutoConfiguration'
        'Get-AutoConfiguration'
        'Set-AutoConfiguration'
        'Remove-AutoConfiguration'
        'Get-AutoConfigurationMetric'
        'Invoke-AutoConfigurationEvaluation'
        # Quizzes
        'Get-IotQuiz'
        'Start-IotQuiz'
        'Test-IotQuizAnswer'
        'Submit-IotQuiz'
        'Test-IotQuiz'
        'Build-IotQuiz'
        # Labs
        'Get-IotLab'
        'Start-IotLab'
        'Invoke-IotLabScript'
        'Test-IotLab'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('IoT', 'AzureIoTHub', 'AZ-220', 'Emulator', 'DeviceTwin', 'DirectMethod')
            ProjectUri = ''
        }
    }
}
