// Diagnostic settings into the Log Analytics workspace: both storage accounts (account metrics, and
// the blob, queue and table services' logs and metrics), the Container Apps environment (console and
// system logs: its appLogsConfiguration points at Azure Monitor, so these settings are where the logs
// go, with no workspace key involved) and the Functions container app (platform metrics).

@description('Resource ID of the Log Analytics workspace.')
param workspaceId string

@description('Storage accounts to monitor (host and data).')
param storageAccountNames string[]

@description('Container Apps environment name.')
param environmentName string

@description('Functions container app name; empty when the app is not deployed yet.')
param functionAppName string

var settingName = 'to-log-analytics'

var allLogs = [
  {
    categoryGroup: 'allLogs'
    enabled: true
  }
]

var transactionMetrics = [
  {
    category: 'Transaction'
    enabled: true
  }
]

resource accounts 'Microsoft.Storage/storageAccounts@2023-05-01' existing = [
  for name in storageAccountNames: {
    name: name
  }
]

resource blobServices 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = [
  for (name, i) in storageAccountNames: {
    parent: accounts[i]
    name: 'default'
  }
]

resource queueServices 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = [
  for (name, i) in storageAccountNames: {
    parent: accounts[i]
    name: 'default'
  }
]

resource tableServices 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' existing = [
  for (name, i) in storageAccountNames: {
    parent: accounts[i]
    name: 'default'
  }
]

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = [
  for (name, i) in storageAccountNames: {
    name: settingName
    scope: accounts[i]
    properties: {
      workspaceId: workspaceId
      metrics: transactionMetrics
    }
  }
]

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = [
  for (name, i) in storageAccountNames: {
    name: settingName
    scope: blobServices[i]
    properties: {
      workspaceId: workspaceId
      logs: allLogs
      metrics: transactionMetrics
    }
  }
]

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = [
  for (name, i) in storageAccountNames: {
    name: settingName
    scope: queueServices[i]
    properties: {
      workspaceId: workspaceId
      logs: allLogs
      metrics: transactionMetrics
    }
  }
]

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = [
  for (name, i) in storageAccountNames: {
    name: settingName
    scope: tableServices[i]
    properties: {
      workspaceId: workspaceId
      logs: allLogs
      metrics: transactionMetrics
    }
  }
]

resource managedEnvironment 'Microsoft.App/managedEnvironments@2025-07-01' existing = {
  name: environmentName
}

resource environmentDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: settingName
  scope: managedEnvironment
  properties: {
    workspaceId: workspaceId
    logs: allLogs
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

resource functionApp 'Microsoft.App/containerApps@2025-07-01' existing = if (!empty(functionAppName)) {
  name: functionAppName
}

resource appDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (!empty(functionAppName)) {
  name: settingName
  scope: functionApp
  properties: {
    workspaceId: workspaceId
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}
