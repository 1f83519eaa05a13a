BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    $script:exported = (Get-Module IotLabKit).ExportedCmdlets.Keys | Sort-Object
    $script:deviceIdCmdlets = $script:exported | Where-Object { (Get-Command $_).Parameters.ContainsKey('DeviceId') }
    $mutatingVerbs = @('New', 'Set', 'Remove', 'Start', 'Stop')
    $script:mutating = @($script:exported | Where-Object { ((Get-Command $_).Verb -in $mutatingVerbs) -and ($_ -notlike '*IotQuiz*') })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
}

Describe 'The module manifest' {
    It 'exports the hub, device and twin cmdlets by name' {
        $names = (Get-Module IotLabKit).ExportedCmdlets.Keys
        foreach ($name in 'Start-IotHubEmulator', 'Stop-IotHubEmulator', 'Get-IotHubEmulator', 'Connect-IotHub', 'Disconnect-IotHub',
            'New-IotDevice', 'Get-IotDevice', 'Set-IotDevice', 'Remove-IotDevice', 'Get-IotDeviceConnectionString',
            'Get-Twin', 'Set-TwinDesired', 'Set-TwinTags') {
            $names | Should -Contain $name
        }
    }

    It 'lists cmdlets explicitly (no wildcards)' {
        $manifest = Import-PowerShellDataFile $script:StagedModule
        $manifest.CmdletsToExport | Should -Not -Contain '*'
        $manifest.CmdletsToExport | ForEach-Object { $_ | Should -Not -Match '\*' }
    }

    It 'ships the emulator beside the module' {
        Join-Path (Split-Path $script:StagedModule) 'emulator' 'IotLabKit.Emulator.dll' | Should -Exist
    }

    It 'does not ship PowerShell''s own reference assembly' {
        Join-Path (Split-Path $script:StagedModule) 'System.Management.Automation.dll' | Should -Not -Exist
    }
}

Describe 'Help for <_>' -ForEach $exported {
    BeforeAll {
        $script:help = Get-Help $_ -Full
    }

    It 'has a synopsis of its own' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$_ *"   # PowerShell puts the syntax there when no help is found
    }

    It 'has a description' {
        ($help.description.Text -join '') | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples with code' {
        $examples = @((Get-Help $_ -Examples).examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        $examples | ForEach-Object { $_.code | Should -Not -BeNullOrEmpty }
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($name in $parameters) {
            $entry = $help.parameters.parameter | Where-Object name -eq $name
            ($entry.description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
    }
}

Describe '<_> binds -DeviceId from the pipeline' -ForEach $deviceIdCmdlets {
    It 'by property name' {
        (Get-Command $_).Parameters['DeviceId'].Attributes |
            Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } |
            ForEach-Object { $_.ValueFromPipelineByPropertyName | Should -BeTrue }
    }
}

Describe '<_> supports -WhatIf and -Confirm' -ForEach $mutating {
    It 'declares SupportsShouldProcess' {
        $parameters = (Get-Command $_).Parameters
        $parameters.ContainsKey('WhatIf') | Should -BeTrue
        $parameters.ContainsKey('Confirm') | Should -BeTrue
    }
}
