BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
}

AfterAll {
    Stop-TestEmulator
}

Describe 'Get-IotHubEventHubConnectionString' {
    It 'says there is no endpoint before an emulator runs' {
        Stop-TestEmulator
        $err = $null
        try { Get-IotHubEventHubConnectionString -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'GetIotHubEventHubConnectionStringNoEmulator,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'hands out the emulator''s Event Hubs-compatible string as a SecureString unless -AsPlainText' {
        $status = Start-TestEmulator
        Get-IotHubEventHubConnectionString | Should -BeOfType [securestring]
        $plain = Get-IotHubEventHubConnectionString -AsPlainText
        $plain | Should -Match '^Endpoint=sb://localhost:\d+/;SharedAccessKeyName=service;SharedAccessKey=[^;]+;EntityPath=iotlabkit;UseDevelopmentEmulator=true$'
        ConvertFrom-SecureStringToText (Get-IotHubEventHubConnectionString) | Should -Be $plain
    }

    It 'uses another policy''s key with -PolicyName, and refuses an unknown policy' {
        $owner = Get-IotHubEventHubConnectionString -PolicyName iothubowner -AsPlainText
        $owner | Should -Match ';SharedAccessKeyName=iothubowner;SharedAccessKey=[^;]+;EntityPath='
        $owner | Should -Not -Be (Get-IotHubEventHubConnectionString -AsPlainText)
        $err = $null
        try { Get-IotHubEventHubConnectionString -PolicyName nosuch -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'GetIotHubEventHubConnectionStringPolicyNotFound,*'
    }
}
