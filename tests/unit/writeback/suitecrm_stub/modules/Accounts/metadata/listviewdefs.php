<?php
// core layout (abbreviated from SuiteCRM 7.14 modules/Accounts/metadata/listviewdefs.php)
$listViewDefs['Accounts'] = array(
    'NAME' => array('width' => '20%', 'label' => 'LBL_LIST_ACCOUNT_NAME', 'link' => true, 'default' => true),
    'BILLING_ADDRESS_CITY' => array('width' => '10%', 'label' => 'LBL_LIST_CITY', 'default' => true),
    'INDUSTRY' => array('width' => '10%', 'label' => 'LBL_INDUSTRY', 'default' => false),
);
