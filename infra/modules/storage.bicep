// The data account: the pipeline's blob containers (inbox, styles, uploads, outputs, jobs) and the
// queue Event Grid fills with inbox BlobCreated events. People upload and read here, so roles on it are
// scoped to containers and queues (modules/dataRoles.bicep); the Functions host's own queues, tables
// and leases live on the separate host account (modules/hostStorage.bicep).
// Access is by Entra ID only: shared keys are off, so neither account keys nor account SAS exist;
// browsers upload with user delegation SAS links, allowed by CORS for the app's origin only.

@description('Azure region for the account.')
param location string

@description('Storage account name (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Replication SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
])
param skuName string

@description('Blob containers the pipeline uses (inbox, styles, uploads, outputs, jobs).')
param containerNames string[]

@description('Queues on the account: the inbox event queue and its poison queue.')
param queueNames string[]

@description('Origins allowed to call the blob service from a browser (the app\'s URL), for uploads by SAS.')
param corsAllowedOrigins string[]

@description('Days a deleted blob stays recoverable.')
@minValue(1)
@maxValue(365)
param deleteRetentionDays int

@description('Days after its last write that a blob under jobs/ (checkpoints) is deleted. Finished and failed jobs drop their checkpoints themselves; this catches those of cancelled or abandoned jobs.')
@minValue(1)
param checkpointRetentionDays int

@description('Days after upload that a blob under uploads/ (sources of HTTP jobs) is deleted.')
@minValue(1)
param uploadRetentionDays int

param tags object

// How long a browser may cache a CORS preflight answer.
var corsMaxAgeSeconds = 3600

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // No anonymous reads of any container; results are shared through user delegation SAS links.
    allowBlobPublicAccess: false
    // Entra ID only: the app uses its managed identity, people use `--auth-mode login`.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: {
          enabled: true
        }
        file: {
          enabled: true
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: deleteRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: deleteRetentionDays
    }
    // Browser uploads by SAS (PUT block blob) and reads of results, from the app's origin only.
    cors: {
      corsRules: [
        {
          allowedOrigins: corsAllowedOrigins
          allowedMethods: [
            'GET'
            'HEAD'
            'PUT'
            'OPTIONS'
          ]
          allowedHeaders: [
            'content-type'
            'x-ms-blob-type'
            'x-ms-blob-content-type'
            'x-ms-version'
            'x-ms-client-request-id'
          ]
          exposedHeaders: [
            'etag'
            'x-ms-request-id'
          ]
          maxAgeInSeconds: corsMaxAgeSeconds
        }
      ]
    }
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// Leftovers expire: checkpoints of jobs that never finished (a cancel terminates the orchestration
// before it can clean up) and uploaded sources. Results under outputs/ are kept.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-job-checkpoints'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'jobs/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: checkpointRetentionDays
                }
              }
            }
          }
        }
        {
          name: 'expire-uploads'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'uploads/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: uploadRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    containers
  ]
}

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
