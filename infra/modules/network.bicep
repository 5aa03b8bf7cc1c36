// The private network the Container Apps environment joins: one subnet delegated to the environment
// (workload profiles need at least a /27), one for private endpoints, and the private DNS zones that
// make the host storage account's blob, queue and table names resolve to those endpoints from inside.

@description('Azure region for the network.')
param location string

@description('Virtual network name.')
param name string

@description('Address space of the virtual network.')
param addressPrefix string

@description('Subnet the Container Apps environment is injected into (delegated to Microsoft.App/environments).')
param appsSubnetPrefix string

@description('Subnet that holds the private endpoints.')
param endpointsSubnetPrefix string

@description('Storage services that get a private DNS zone (blob, queue, table).')
param storageServices string[]

param tags object

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: 'apps'
        properties: {
          addressPrefix: appsSubnetPrefix
          delegations: [
            {
              name: 'containerApps'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'endpoints'
        properties: {
          addressPrefix: endpointsSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

// privatelink.<service>.<storage suffix>: the suffix comes from the cloud the deployment runs in.
resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for service in storageServices: {
    name: 'privatelink.${service}.${environment().suffixes.storage}'
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (service, i) in storageServices: {
    parent: zones[i]
    name: '${name}-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

output appsSubnetId string = vnet.properties.subnets[0].id
output endpointsSubnetId string = vnet.properties.subnets[1].id
output zoneIds string[] = [for (service, i) in storageServices: zones[i].id]
