<?php
// core layout (abbreviated from SuiteCRM 7.14 modules/Accounts/metadata/detailviewdefs.php)
$viewdefs['Accounts']['DetailView'] = array(
    'templateMeta' => array('maxColumns' => '2', 'tabDefs' => array(
        'LBL_ACCOUNT_INFORMATION' => array('newTab' => false, 'panelDefault' => 'expanded'),
    )),
    'panels' => array(
        'lbl_account_information' => array(array('name', 'phone_office'), array('website', 'industry')),
    ),
);
